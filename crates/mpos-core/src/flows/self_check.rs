//! The pre-shift self-check (the cashier's guide: check the device, the
//! reader, the software and the network before the shift). It asks the
//! driver for the reader's and the gateway's facts and turns each answer
//! into lines with [`rules`]; a reader plugged in or out while it shows
//! checks the reader again.

pub mod rules;

use super::{Command, Reply};
use crate::model::self_check::{
    CheckItem, CheckLine, CheckStatus, Finding, PhonePower, ReaderCheck,
};
use mpos_wire::AppVersion;

/// What the user, the platform or the driver feeds the check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelfCheckInput {
    /// "Check again".
    RunAgain,
    /// A reader was plugged in or out.
    ReaderChanged,
    /// The shell read the phone's battery.
    PhonePower(Option<PhonePower>),
    /// The platform allowed or refused the microphone.
    MicrophoneAllowed(bool),
    /// Result of a command.
    Reply(Reply),
}

/// The self-check state machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelfCheckFlow {
    lines: Vec<CheckLine>,
    current_version: AppVersion,
    phone_power: Option<PhonePower>,
    microphone_allowed: bool,
    /// Checks asked for and not answered yet.
    waiting_reader: bool,
    waiting_gateway: bool,
    /// The last reader facts, to judge again when the microphone changes.
    last_reader: Option<ReaderCheck>,
}

impl SelfCheckFlow {
    /// Starts a check of this app (`current_version`) with what the
    /// platform last said of the battery and the microphone.
    pub fn start(
        current_version: AppVersion,
        phone_power: Option<PhonePower>,
        microphone_allowed: bool,
    ) -> (SelfCheckFlow, Vec<Command>) {
        let mut flow = SelfCheckFlow {
            lines: Vec::new(),
            current_version,
            phone_power,
            microphone_allowed,
            waiting_reader: false,
            waiting_gateway: false,
            last_reader: None,
        };
        let commands = flow.run();
        (flow, commands)
    }

    /// Every line, in screen order.
    pub fn lines(&self) -> &[CheckLine] {
        &self.lines
    }

    /// Whether a check is still running.
    pub fn is_running(&self) -> bool {
        self.waiting_reader || self.waiting_gateway
    }

    /// Feeds one input; returns the commands to run.
    pub fn handle(&mut self, input: SelfCheckInput) -> Vec<Command> {
        match input {
            SelfCheckInput::RunAgain if !self.is_running() => self.run(),
            SelfCheckInput::RunAgain => Vec::new(),
            SelfCheckInput::ReaderChanged if !self.waiting_reader => {
                self.waiting_reader = true;
                self.set_checking(&READER_ITEMS);
                vec![Command::CheckReader]
            }
            SelfCheckInput::ReaderChanged => Vec::new(),
            SelfCheckInput::PhonePower(power) => {
                self.phone_power = power;
                self.put(vec![rules::phone_battery(power)]);
                Vec::new()
            }
            SelfCheckInput::MicrophoneAllowed(allowed) => {
                self.microphone_allowed = allowed;
                if let Some(check) = &self.last_reader {
                    let lines = rules::reader(check, allowed);
                    self.put(lines);
                }
                Vec::new()
            }
            SelfCheckInput::Reply(Reply::ReaderChecked(check)) if self.waiting_reader => {
                self.waiting_reader = false;
                self.put(rules::reader(&check, self.microphone_allowed));
                self.last_reader = Some(check);
                Vec::new()
            }
            SelfCheckInput::Reply(Reply::GatewayChecked(probe)) if self.waiting_gateway => {
                self.waiting_gateway = false;
                self.put(rules::gateway(&probe, self.current_version));
                Vec::new()
            }
            SelfCheckInput::Reply(_) => Vec::new(),
        }
    }

    /// Starts every check from the beginning.
    fn run(&mut self) -> Vec<Command> {
        self.lines = CheckItem::ALL
            .iter()
            .map(|&item| CheckLine::new(item, CheckStatus::Checking, Finding::Pending))
            .collect();
        self.put(vec![rules::phone_battery(self.phone_power)]);
        self.waiting_reader = true;
        self.waiting_gateway = true;
        vec![Command::CheckReader, Command::CheckGateway]
    }

    fn set_checking(&mut self, items: &[CheckItem]) {
        for line in &mut self.lines {
            if items.contains(&line.item) {
                line.status = CheckStatus::Checking;
                line.finding = Finding::Pending;
            }
        }
    }

    /// Replaces the lines of the same items.
    fn put(&mut self, lines: Vec<CheckLine>) {
        for new in lines {
            if let Some(line) = self.lines.iter_mut().find(|line| line.item == new.item) {
                *line = new;
            }
        }
    }
}

/// The lines a reader check fills.
const READER_ITEMS: [CheckItem; 5] = [
    CheckItem::Reader,
    CheckItem::ReaderBattery,
    CheckItem::ReaderKeys,
    CheckItem::AudioLink,
    CheckItem::LinkProfile,
];

#[cfg(test)]
mod tests;
