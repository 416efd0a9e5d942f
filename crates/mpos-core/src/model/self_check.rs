//! The pre-shift self-check as plain data (the cashier's guide: check the
//! device, the reader, the software and the network before the shift):
//! the facts the driver gathers, and the lines the rules make of them.
//! The flow and the rules are in `crate::flows::self_check`; the view
//! renders the lines in the user's language.

use mpos_wire::api::AppStatus;
use mpos_wire::AppVersion;

use super::reader::ReaderInfo;

/// What one line of the check is about, in the order the screen lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CheckItem {
    /// The phone's battery.
    PhoneBattery,
    /// The reader: present and answering.
    Reader,
    /// The reader's battery.
    ReaderBattery,
    /// The reader's DUKPT keys left before it must be re-keyed.
    ReaderKeys,
    /// The audio link's quality: rate, level, eye SNR.
    AudioLink,
    /// The link settings saved for this phone model.
    LinkProfile,
    /// The gateway: reachable, with the pinned certificate.
    Gateway,
    /// The gateway certificate's days left.
    Certificate,
    /// The phone's clock against the gateway's.
    Clock,
    /// This app's version against the newest announced.
    AppVersion,
}

impl CheckItem {
    /// Every line, in screen order.
    pub const ALL: [CheckItem; 10] = [
        CheckItem::PhoneBattery,
        CheckItem::Reader,
        CheckItem::ReaderBattery,
        CheckItem::ReaderKeys,
        CheckItem::AudioLink,
        CheckItem::LinkProfile,
        CheckItem::Gateway,
        CheckItem::Certificate,
        CheckItem::Clock,
        CheckItem::AppVersion,
    ];
}

/// How a line came out, worst last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CheckStatus {
    /// Still being checked.
    Checking,
    /// Could not be checked because another line failed (it says why).
    Skipped,
    /// Fine.
    Ok,
    /// Fine for now; the line says what to do soon.
    Warning,
    /// Not fit for taking payments; the line says what to do.
    Failed,
}

/// What a line found, with its values, language-neutral.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// Not known yet.
    Pending,
    /// Needs the line named to pass first.
    NeedsFirst(CheckItem),
    /// The shell did not report the phone's battery.
    PhoneBatteryUnknown,
    /// The phone's battery.
    PhoneBattery {
        /// Charge in percent.
        percent: u8,
        /// Whether it is charging.
        charging: bool,
    },
    /// The platform does not let the app use the microphone (the reader's uplink).
    MicrophoneBlocked,
    /// No reader answers in the headset jack.
    ReaderMissing,
    /// A reader answers.
    ReaderAnswering {
        /// Serial number.
        serial: String,
        /// Firmware version.
        firmware: String,
    },
    /// The reader's battery; `None`: it has none (powered by the jack).
    ReaderBattery(Option<u8>),
    /// The reader's transaction counter could not be read from its KSN.
    KeysUnreadable,
    /// Transactions the reader's key has left.
    KeysLeft(u64),
    /// The reader is not on the audio path (a reader the platform connects
    /// another way), so there is no link to measure.
    LinkNotMeasured,
    /// The audio link as measured when it was set up.
    Link(LinkQuality),
    /// Nothing learned for this phone model yet.
    NoProfile,
    /// The settings in use, and where they came from.
    Profile {
        /// The phone model they are for.
        phone_model: String,
        /// Whether they were saved earlier (else learned just now).
        saved: bool,
    },
    /// The gateway answered over the pinned connection.
    GatewayReachable {
        /// Milliseconds from request to answer.
        round_trip_ms: u64,
    },
    /// The gateway presented a certificate that is not the pinned one.
    GatewayNotPinned,
    /// The gateway's certificate is not trusted (expired, wrong host...).
    GatewayUntrusted,
    /// The gateway did not answer (network, timeout, unreadable answer).
    GatewayUnreachable,
    /// The certificate's expiry could not be read.
    CertificateUnreadable,
    /// Whole days until the gateway's certificate expires (negative: expired).
    CertificateDaysLeft(i64),
    /// The gateway's time could not be read.
    ClockUnreadable,
    /// The phone's clock minus the gateway's, in seconds.
    ClockSkew {
        /// Positive: the phone is ahead.
        seconds: i64,
    },
    /// The announced versions could not be read.
    VersionsUnreadable,
    /// This app's version and the announced ones.
    Versions {
        /// This app.
        current: AppVersion,
        /// The newest.
        latest: AppVersion,
        /// The oldest still allowed.
        minimum: AppVersion,
    },
}

/// One line of the check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckLine {
    /// What it is about.
    pub item: CheckItem,
    /// How it came out.
    pub status: CheckStatus,
    /// What was found.
    pub finding: Finding,
}

impl CheckLine {
    /// A line of `item`.
    pub fn new(item: CheckItem, status: CheckStatus, finding: Finding) -> CheckLine {
        CheckLine {
            item,
            status,
            finding,
        }
    }
}

/// The phone's battery, as the shell reads it from the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PhonePower {
    /// Charge in percent (0 to 100).
    pub percent: u8,
    /// Whether it is charging.
    pub charging: bool,
}

/// Where the link settings in use came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileOrigin {
    /// Saved for this phone model earlier, and confirmed to work now.
    Saved,
    /// Learned by auto-configuration just now (the shell saves it).
    Learned,
}

/// The audio link as measured when it was set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkQuality {
    /// The audio's sample rate, Hz.
    pub sample_rate: u32,
    /// Uplink bit rate, bit/s.
    pub uplink_bps: u32,
    /// The reader's drive level, 0 (quietest) to 3.
    pub drive_level: u8,
    /// Received signal level, percent of full scale.
    pub rx_level_percent: u8,
    /// Eye SNR in tenths of a dB (a reading of 18.4 dB is 184).
    pub eye_snr_tenths_db: i32,
    /// The phone model the settings are for.
    pub phone_model: String,
    /// Where they came from.
    pub origin: ProfileOrigin,
}

/// What the driver found of the reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderCheck {
    /// The connected reader, if any answers.
    pub info: Option<ReaderInfo>,
    /// Its audio link, when it is on the audio path and connected.
    pub link: Option<LinkQuality>,
    /// The settings saved for this phone model, when no link is up.
    pub saved_profile_model: Option<String>,
}

/// The gateway's answer to the check, with the phone's own clock readings
/// around it (flows read no clock: the driver does, and reports).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayProbe {
    /// The gateway's status.
    pub status: AppStatus,
    /// Phone time when the request left, Unix milliseconds.
    pub sent_at_ms: i64,
    /// Phone time when the answer arrived, Unix milliseconds.
    pub received_at_ms: i64,
    /// When the gateway's certificate expires, Unix seconds, if readable.
    pub certificate_not_after: Option<i64>,
}
