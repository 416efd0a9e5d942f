//! [`SampleBuffers`]: one block of input samples and one of output
//! samples, owned here and shared with the shell by address. The shell's
//! audio thread writes the input in place (JNA `Pointer`, Swift
//! `UnsafeMutablePointer`), calls `process`, and reads the output in
//! place: no copy, no allocation, nothing per block crosses as a list.
//!
//! The contract, which the shells keep: only one thread uses a pair of
//! buffers, and it touches them only between its `process` calls. Rust
//! itself touches them only inside `with_block`, under a lock.

use std::cell::UnsafeCell;
use std::sync::Mutex;

/// A block larger than the buffers: `frames` asked, `capacity` held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BlockTooLarge {
    pub(crate) frames: u32,
    pub(crate) capacity: u32,
}

/// An input and an output block of `f32` samples, interleaved by channel.
pub(crate) struct SampleBuffers {
    input: Box<[UnsafeCell<f32>]>,
    output: Box<[UnsafeCell<f32>]>,
    input_channels: usize,
    output_channels: usize,
    capacity: u32,
    in_use: Mutex<()>,
}

// SAFETY: Rust reads and writes the cells only inside `with_block`, which
// holds `in_use`; the foreign side keeps to the contract above.
unsafe impl Sync for SampleBuffers {}

impl SampleBuffers {
    /// Buffers for blocks of up to `capacity` frames.
    pub(crate) fn new(
        capacity: u32,
        input_channels: usize,
        output_channels: usize,
    ) -> SampleBuffers {
        let cells = |channels: usize| {
            (0..capacity as usize * channels)
                .map(|_| UnsafeCell::new(0.0))
                .collect::<Box<[UnsafeCell<f32>]>>()
        };
        SampleBuffers {
            input: cells(input_channels),
            output: cells(output_channels),
            input_channels,
            output_channels,
            capacity,
            in_use: Mutex::new(()),
        }
    }

    /// Frames per block the buffers hold.
    pub(crate) fn capacity(&self) -> u32 {
        self.capacity
    }

    /// Where the input block starts (`capacity × input channels` floats).
    pub(crate) fn input_address(&self) -> u64 {
        self.input.as_ptr() as u64
    }

    /// Where the output block starts (`capacity × output channels` floats).
    pub(crate) fn output_address(&self) -> u64 {
        self.output.as_ptr() as u64
    }

    /// Runs `work` on the first `frames` frames: the input as written by
    /// the shell, the output for the shell to read.
    pub(crate) fn with_block<R>(
        &self,
        frames: u32,
        work: impl FnOnce(&[f32], &mut [f32]) -> R,
    ) -> Result<R, BlockTooLarge> {
        if frames > self.capacity {
            return Err(BlockTooLarge {
                frames,
                capacity: self.capacity,
            });
        }
        let _only_user = self.in_use.lock().unwrap_or_else(|p| p.into_inner());
        let frames = frames as usize;
        // SAFETY: `UnsafeCell<f32>` has the layout of `f32`; the lengths are
        // within the boxes; the lock and the shell's contract make these the
        // only references to the cells while `work` runs.
        let (input, output) = unsafe {
            (
                std::slice::from_raw_parts(
                    UnsafeCell::raw_get(self.input.as_ptr()).cast_const(),
                    frames * self.input_channels,
                ),
                std::slice::from_raw_parts_mut(
                    UnsafeCell::raw_get(self.output.as_ptr()),
                    frames * self.output_channels,
                ),
            )
        };
        Ok(work(input, output))
    }
}

/// The C ABI's answer for a block: 0 done, -1 refused (too large), -2 panicked.
pub(crate) fn status<E>(outcome: std::thread::Result<Result<(), E>>) -> i32 {
    match outcome {
        Ok(Ok(())) => 0,
        Ok(Err(_)) => -1,
        Err(_) => -2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_sees_what_was_written_at_the_address_and_leaves_its_output_there() {
        let buffers = SampleBuffers::new(4, 1, 2);
        let input = buffers.input_address() as *mut f32;
        let output = buffers.output_address() as *const f32;
        // What a shell does through the address.
        for i in 0..3 {
            // SAFETY: within the 4-frame mono input block.
            unsafe { input.add(i).write(i as f32 + 0.5) };
        }
        let sum = buffers
            .with_block(3, |input, output| {
                assert_eq!(output.len(), 6);
                output.fill(0.25);
                input.iter().sum::<f32>()
            })
            .unwrap();
        assert_eq!(sum, 0.5 + 1.5 + 2.5);
        // SAFETY: within the 4-frame stereo output block.
        let written: Vec<f32> = (0..8).map(|i| unsafe { output.add(i).read() }).collect();
        assert_eq!(written, [0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.0, 0.0]);
        assert_eq!(
            buffers.with_block(5, |_, _| ()),
            Err(BlockTooLarge {
                frames: 5,
                capacity: 4
            })
        );
    }
}
