//! A phone station and a reader station joined by two simulated audio paths,
//! for tests and benchmarks: the whole link, samples only, no shortcut.
//!
//! The phone runs fixed-size blocks on its clock. The reader's clock differs
//! by `clock_ratio`; it processes whatever the downlink delivered in each
//! phone block, so neither queue grows with drift.

use crate::channel::{Channel, ChannelConfig};
use crate::station::Station;
use std::collections::VecDeque;

/// Two stations and the audio between them.
#[derive(Debug)]
pub struct Loopback {
    /// The phone's end.
    pub phone: Station,
    /// The reader's end.
    pub reader: Station,
    downlink: Channel,
    uplink: Channel,
    block: usize,
    up_queue: VecDeque<f32>,
    phone_in: Vec<f32>,
    phone_out: Vec<f32>,
    reader_in: Vec<f32>,
    reader_out: Vec<f32>,
    up_samples: Vec<f32>,
    mute_uplink_until: u64,
}

impl Loopback {
    /// Joins the stations. `clock_ratio` is the reader's sample clock over the
    /// phone's and overrides the two configs' own ratios.
    pub fn new(
        phone: Station,
        reader: Station,
        sample_rate: u32,
        clock_ratio: f64,
        mut downlink: ChannelConfig,
        mut uplink: ChannelConfig,
        block: usize,
    ) -> Loopback {
        downlink.clock_ratio = clock_ratio;
        uplink.clock_ratio = 1.0 / clock_ratio;
        Loopback {
            phone,
            reader,
            downlink: Channel::new(sample_rate, downlink),
            uplink: Channel::new(sample_rate, uplink),
            block,
            up_queue: VecDeque::new(),
            phone_in: vec![0.0; block],
            phone_out: vec![0.0; block],
            reader_in: Vec::new(),
            reader_out: Vec::new(),
            up_samples: Vec::new(),
            mute_uplink_until: 0,
        }
    }

    /// Silences the uplink until the phone's clock reaches `phone_sample` (a lost frame).
    pub fn mute_uplink_until(&mut self, phone_sample: u64) {
        self.mute_uplink_until = phone_sample;
    }

    /// Runs one phone block and the reader's matching stretch of samples.
    pub fn step(&mut self) {
        for sample in self.phone_in.iter_mut() {
            *sample = self.up_queue.pop_front().unwrap_or(0.0);
        }
        if self.phone.now() < self.mute_uplink_until {
            self.phone_in.fill(0.0);
        }
        self.phone.process(&self.phone_in, &mut self.phone_out);
        self.reader_in.clear();
        self.downlink.process(&self.phone_out, &mut self.reader_in);
        self.reader_out.clear();
        self.reader_out.resize(self.reader_in.len(), 0.0);
        self.reader.process(&self.reader_in, &mut self.reader_out);
        self.up_samples.clear();
        self.uplink.process(&self.reader_out, &mut self.up_samples);
        self.up_queue.extend(self.up_samples.iter().copied());
    }

    /// Steps until `done` returns true or `max_samples` phone samples pass;
    /// returns whether `done` was reached.
    pub fn run_until(
        &mut self,
        max_samples: u64,
        mut done: impl FnMut(&mut Loopback) -> bool,
    ) -> bool {
        let stop = self.phone.now() + max_samples;
        while self.phone.now() < stop {
            self.step();
            if done(self) {
                return true;
            }
        }
        false
    }

    /// Phone samples per block.
    pub fn block(&self) -> usize {
        self.block
    }
}
