//! Login, first login (activation code, then a new 6-digit password) and
//! loading the terminal's settings, as a pure state machine.

use super::{Command, Reply};
use crate::error::UserMessage;
use crate::model::session::{Session, SessionToken};
use crate::notice::Notice;
use mpos_wire::api::{
    ActivateRequest, ChangePasswordRequest, LoginRequest, SessionStage, UserProfile,
};
use mpos_wire::ErrorCode;

/// Where the user is in the login sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginStep {
    /// User name and password.
    Credentials,
    /// First login: the SMS activation code.
    Activation,
    /// First login: the new 6-digit password, twice.
    NewPassword,
    /// Logged in; the terminal settings are loading.
    LoadingConfig,
    /// Logged in with the terminal's settings.
    Ready(Session),
}

/// What the user (or the driver) feeds the login flow.
#[derive(Clone, PartialEq, Eq)]
pub enum LoginInput {
    /// "Log in" pressed.
    Submit {
        /// Account name.
        username: String,
        /// Default or own password.
        password: String,
        /// The connected reader's serial; `None` when no reader is plugged in.
        reader_serial: Option<String>,
    },
    /// "Confirm" on the activation screen.
    SubmitActivationCode {
        /// Code from the SMS.
        code: String,
    },
    /// "Confirm" on the new-password screen.
    SetNewPassword {
        /// New password.
        password: String,
        /// The same again.
        confirmation: String,
    },
    /// Back to the credentials.
    Back,
    /// Result of a command.
    Reply(Reply),
}

/// The login state machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginFlow {
    step: LoginStep,
    message: Option<UserMessage>,
    profile: Option<UserProfile>,
    /// The token of the login in progress (activation and the new password need it).
    token: Option<SessionToken>,
}

impl Default for LoginFlow {
    fn default() -> Self {
        LoginFlow::new()
    }
}

impl LoginFlow {
    /// Starts at the credentials.
    pub fn new() -> LoginFlow {
        LoginFlow {
            step: LoginStep::Credentials,
            message: None,
            profile: None,
            token: None,
        }
    }

    /// Starts at the credentials with a message (session ended, work to resume...).
    pub fn with_message(message: UserMessage) -> LoginFlow {
        LoginFlow {
            message: Some(message),
            ..LoginFlow::new()
        }
    }

    /// The current step.
    pub fn step(&self) -> &LoginStep {
        &self.step
    }

    /// The message to show, if any.
    pub fn message(&self) -> Option<&UserMessage> {
        self.message.as_ref()
    }

    /// Drops the "plug in the reader" message once a reader is there.
    pub fn reader_connected(&mut self) {
        if self.message.as_ref().is_some_and(is_reader_notice) {
            self.message = None;
        }
    }

    /// The token the next request goes with: the login in progress, or the ready session's.
    pub fn token(&self) -> Option<&SessionToken> {
        match &self.step {
            LoginStep::Ready(session) => Some(&session.token),
            _ => self.token.as_ref(),
        }
    }

    /// The session, once ready.
    pub fn session(&self) -> Option<&Session> {
        match &self.step {
            LoginStep::Ready(session) => Some(session),
            _ => None,
        }
    }

    /// Feeds one input; returns the commands to run.
    pub fn handle(&mut self, input: LoginInput) -> Vec<Command> {
        match (self.step.clone(), input) {
            (
                LoginStep::Credentials,
                LoginInput::Submit {
                    username,
                    password,
                    reader_serial,
                },
            ) => self.submit(username, password, reader_serial),
            (LoginStep::Activation, LoginInput::SubmitActivationCode { code }) => {
                let code = code.trim().to_string();
                if code.is_empty() {
                    return self.refuse(Notice::ActivationCodeMissing.into());
                }
                self.message = None;
                vec![Command::Activate(ActivateRequest {
                    activation_code: code,
                })]
            }
            (
                LoginStep::NewPassword,
                LoginInput::SetNewPassword {
                    password,
                    confirmation,
                },
            ) => {
                if let Err(notice) = check_new_password(&password, &confirmation) {
                    return self.refuse(notice.into());
                }
                self.message = None;
                vec![Command::ChangePassword(ChangePasswordRequest {
                    new_password: password,
                    current_password: None,
                })]
            }
            (LoginStep::Activation | LoginStep::NewPassword, LoginInput::Back) => {
                // The half-done login ends on the gateway too.
                let token = self.token.take();
                self.go(LoginStep::Credentials, None);
                token.map(Command::Logout).into_iter().collect()
            }
            (step, LoginInput::Reply(reply)) => self.on_reply(step, reply),
            _ => Vec::new(),
        }
    }

    fn submit(
        &mut self,
        username: String,
        password: String,
        reader_serial: Option<String>,
    ) -> Vec<Command> {
        // The reader must be plugged in to log in (KGI guide: plug it in first).
        if reader_serial.is_none() {
            return self.refuse(Notice::ReaderNotConnected.into());
        }
        let username = username.trim().to_string();
        if username.is_empty() || password.is_empty() {
            return self.refuse(Notice::CredentialsMissing.into());
        }
        self.message = None;
        vec![Command::Login(LoginRequest {
            username,
            password,
            reader_serial,
        })]
    }

    fn on_reply(&mut self, step: LoginStep, reply: Reply) -> Vec<Command> {
        match (step, reply) {
            (LoginStep::Credentials, Reply::LoggedIn(Ok(response))) => {
                self.profile = Some(response.user);
                self.token = Some(SessionToken::new(response.session_token));
                self.enter_stage(response.stage)
            }
            (LoginStep::Credentials, Reply::LoggedIn(Err(error))) => {
                self.message = Some(error.user_message());
                Vec::new()
            }
            (LoginStep::Activation, Reply::Activated(Ok(response))) => {
                self.enter_stage(response.stage)
            }
            (LoginStep::Activation, Reply::Activated(Err(error))) => {
                let back_to_login = error.ends_session()
                    || error.api_code() == Some(ErrorCode::ActivationCodeExpired);
                if error.api_code() == Some(ErrorCode::PasswordChangeRequired) {
                    self.go(LoginStep::NewPassword, Some(error.user_message()));
                } else if back_to_login {
                    // An expired code needs a new one from the administrator,
                    // which comes with new credentials: start from the login.
                    self.go(LoginStep::Credentials, Some(error.user_message()));
                } else {
                    self.message = Some(error.user_message());
                }
                Vec::new()
            }
            (LoginStep::NewPassword, Reply::PasswordChanged(Ok(response))) => {
                self.enter_stage(response.stage)
            }
            (LoginStep::NewPassword, Reply::PasswordChanged(Err(error))) => {
                if error.ends_session() {
                    self.go(LoginStep::Credentials, Some(error.user_message()));
                } else if error.api_code() == Some(ErrorCode::ActivationRequired) {
                    self.go(LoginStep::Activation, Some(error.user_message()));
                } else {
                    self.message = Some(error.user_message());
                }
                Vec::new()
            }
            (LoginStep::LoadingConfig, Reply::TerminalConfig(Ok(config))) => {
                match (self.profile.clone(), self.token.take()) {
                    (Some(profile), Some(token)) => self.go(
                        LoginStep::Ready(Session {
                            token,
                            profile,
                            config,
                        }),
                        None,
                    ),
                    _ => self.go(LoginStep::Credentials, None),
                }
                Vec::new()
            }
            (LoginStep::LoadingConfig, Reply::TerminalConfig(Err(error))) => {
                self.go(LoginStep::Credentials, Some(error.user_message()));
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn enter_stage(&mut self, stage: SessionStage) -> Vec<Command> {
        match stage {
            SessionStage::ActivationRequired => {
                self.go(LoginStep::Activation, None);
                Vec::new()
            }
            SessionStage::PasswordChangeRequired => {
                self.go(LoginStep::NewPassword, None);
                Vec::new()
            }
            SessionStage::Ready => {
                self.go(LoginStep::LoadingConfig, None);
                vec![Command::FetchTerminalConfig]
            }
        }
    }

    fn go(&mut self, step: LoginStep, message: Option<UserMessage>) {
        if step == LoginStep::Credentials {
            // Back at the start, the login in progress is over.
            self.token = None;
        }
        self.step = step;
        self.message = message;
    }

    fn refuse(&mut self, message: UserMessage) -> Vec<Command> {
        self.message = Some(message);
        Vec::new()
    }
}

/// The new-password rule, checked before the host sees it: exactly 6
/// ASCII digits, entered the same way twice.
pub fn check_new_password(password: &str, confirmation: &str) -> Result<(), Notice> {
    if password.len() != 6 || !password.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Notice::PasswordNotSixDigits);
    }
    if password != confirmation {
        return Err(Notice::PasswordMismatch);
    }
    Ok(())
}

/// Whether a message only asks for the reader to be plugged in.
pub(crate) fn is_reader_notice(message: &UserMessage) -> bool {
    message.code == Notice::ReaderNotConnected.code()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::testing;
    use crate::model::host_error::HostError;
    use mpos_wire::api::{LoginResponse, StageResponse};
    use mpos_wire::ApiError;

    fn submit(flow: &mut LoginFlow, password: &str) -> Vec<Command> {
        flow.handle(LoginInput::Submit {
            username: " amy ".into(),
            password: password.into(),
            reader_serial: Some("RDR-1".into()),
        })
    }

    fn logged_in(stage: SessionStage) -> Reply {
        Reply::LoggedIn(Ok(LoginResponse {
            session_token: "tok".into(),
            expires_at: "2025-03-01T12:00:00Z".into(),
            stage,
            user: testing::profile(),
        }))
    }

    fn api(code: ErrorCode) -> HostError {
        HostError::Api(ApiError::new(code))
    }

    fn new_password(flow: &mut LoginFlow, password: &str, confirmation: &str) -> Vec<Command> {
        flow.handle(LoginInput::SetNewPassword {
            password: password.into(),
            confirmation: confirmation.into(),
        })
    }

    fn at_new_password() -> LoginFlow {
        let mut flow = LoginFlow::new();
        submit(&mut flow, "default1");
        flow.handle(LoginInput::Reply(logged_in(
            SessionStage::PasswordChangeRequired,
        )));
        assert_eq!(flow.step(), &LoginStep::NewPassword);
        flow
    }

    #[test]
    fn refuses_without_a_reader_and_sends_nothing() {
        let mut flow = LoginFlow::new();
        let commands = flow.handle(LoginInput::Submit {
            username: "amy".into(),
            password: "123456".into(),
            reader_serial: None,
        });
        assert!(commands.is_empty());
        assert_eq!(flow.step(), &LoginStep::Credentials);
        assert_eq!(flow.message().unwrap().code, "reader_not_connected");
    }

    #[test]
    fn refuses_empty_credentials() {
        let mut flow = LoginFlow::new();
        assert!(submit(&mut flow, "").is_empty());
        assert_eq!(flow.message().unwrap().code, "credentials_missing");
    }

    #[test]
    fn later_login_goes_straight_to_ready() {
        let mut flow = LoginFlow::new();
        let commands = submit(&mut flow, "123456");
        assert_eq!(
            commands,
            vec![Command::Login(LoginRequest {
                username: "amy".into(),
                password: "123456".into(),
                reader_serial: Some("RDR-1".into()),
            })]
        );
        let commands = flow.handle(LoginInput::Reply(logged_in(SessionStage::Ready)));
        assert_eq!(commands, vec![Command::FetchTerminalConfig]);
        flow.handle(LoginInput::Reply(Reply::TerminalConfig(Ok(
            testing::config(),
        ))));
        let session = flow.session().expect("ready");
        assert_eq!(session.profile.display_name, "Amy Lin");
        assert_eq!(session.config.merchant_id, "M001");
    }

    #[test]
    fn first_login_walks_activation_then_new_password() {
        let mut flow = LoginFlow::new();
        submit(&mut flow, "default1");
        assert!(flow
            .handle(LoginInput::Reply(logged_in(
                SessionStage::ActivationRequired
            )))
            .is_empty());
        assert_eq!(flow.step(), &LoginStep::Activation);

        let commands = flow.handle(LoginInput::SubmitActivationCode {
            code: " 482913 ".into(),
        });
        assert_eq!(
            commands,
            vec![Command::Activate(ActivateRequest {
                activation_code: "482913".into()
            })]
        );
        flow.handle(LoginInput::Reply(Reply::Activated(Ok(StageResponse {
            stage: SessionStage::PasswordChangeRequired,
        }))));
        assert_eq!(flow.step(), &LoginStep::NewPassword);

        let commands = new_password(&mut flow, "135790", "135790");
        assert_eq!(
            commands,
            vec![Command::ChangePassword(ChangePasswordRequest {
                new_password: "135790".into(),
                current_password: None,
            })]
        );
        let commands = flow.handle(LoginInput::Reply(Reply::PasswordChanged(Ok(
            StageResponse {
                stage: SessionStage::Ready,
            },
        ))));
        assert_eq!(commands, vec![Command::FetchTerminalConfig]);
        flow.handle(LoginInput::Reply(Reply::TerminalConfig(Ok(
            testing::config(),
        ))));
        assert!(flow.session().is_some());
    }

    #[test]
    fn wrong_password_stays_on_credentials_with_the_message() {
        let mut flow = LoginFlow::new();
        submit(&mut flow, "000000");
        flow.handle(LoginInput::Reply(Reply::LoggedIn(Err(api(
            ErrorCode::InvalidCredentials,
        )))));
        assert_eq!(flow.step(), &LoginStep::Credentials);
        assert_eq!(flow.message().unwrap().code, "invalid_credentials");
        // The user can try again at once.
        assert_eq!(submit(&mut flow, "123456").len(), 1);
        assert!(flow.message().is_none());
    }

    #[test]
    fn locked_account_shows_when_the_lock_ends() {
        let mut flow = LoginFlow::new();
        submit(&mut flow, "000000");
        let locked = ApiError::new(ErrorCode::AccountLocked).with_detail("locked until 14:35");
        flow.handle(LoginInput::Reply(Reply::LoggedIn(Err(HostError::Api(
            locked,
        )))));
        let message = flow.message().unwrap();
        assert_eq!(message.code, "account_locked");
        assert!(message.en.contains("locked until 14:35"));
        assert!(message.zh.contains("locked until 14:35"));
        assert_eq!(flow.step(), &LoginStep::Credentials);
    }

    #[test]
    fn disabled_account_and_network_failure_keep_credentials() {
        let mut flow = LoginFlow::new();
        submit(&mut flow, "123456");
        flow.handle(LoginInput::Reply(Reply::LoggedIn(Err(api(
            ErrorCode::AccountDisabled,
        )))));
        assert_eq!(flow.message().unwrap().code, "account_disabled");
        submit(&mut flow, "123456");
        flow.handle(LoginInput::Reply(Reply::LoggedIn(Err(HostError::Timeout))));
        assert_eq!(flow.message().unwrap().code, "no_connection");
        assert_eq!(flow.step(), &LoginStep::Credentials);
    }

    #[test]
    fn wrong_activation_code_stays_on_activation() {
        let mut flow = LoginFlow::new();
        submit(&mut flow, "default1");
        flow.handle(LoginInput::Reply(logged_in(
            SessionStage::ActivationRequired,
        )));
        assert!(flow
            .handle(LoginInput::SubmitActivationCode { code: "  ".into() })
            .is_empty());
        assert_eq!(flow.message().unwrap().code, "activation_code_missing");
        flow.handle(LoginInput::SubmitActivationCode {
            code: "111111".into(),
        });
        flow.handle(LoginInput::Reply(Reply::Activated(Err(api(
            ErrorCode::ActivationCodeInvalid,
        )))));
        assert_eq!(flow.step(), &LoginStep::Activation);
        assert_eq!(flow.message().unwrap().code, "activation_code_invalid");
    }

    #[test]
    fn expired_activation_code_returns_to_login_with_the_message() {
        let mut flow = LoginFlow::new();
        submit(&mut flow, "default1");
        flow.handle(LoginInput::Reply(logged_in(
            SessionStage::ActivationRequired,
        )));
        flow.handle(LoginInput::SubmitActivationCode {
            code: "111111".into(),
        });
        flow.handle(LoginInput::Reply(Reply::Activated(Err(api(
            ErrorCode::ActivationCodeExpired,
        )))));
        assert_eq!(flow.step(), &LoginStep::Credentials);
        assert_eq!(flow.message().unwrap().code, "activation_code_expired");
    }

    #[test]
    fn password_rule_is_checked_locally_before_the_host() {
        let cases = [
            ("12345", "12345", Notice::PasswordNotSixDigits),
            ("1234567", "1234567", Notice::PasswordNotSixDigits),
            ("12a456", "12a456", Notice::PasswordNotSixDigits),
            ("１２３４５６", "１２３４５６", Notice::PasswordNotSixDigits),
            ("123456", "123465", Notice::PasswordMismatch),
        ];
        for (password, confirmation, notice) in cases {
            let mut flow = at_new_password();
            let commands = new_password(&mut flow, password, confirmation);
            assert!(commands.is_empty(), "{password} must not reach the host");
            assert_eq!(flow.message().unwrap().code, notice.code(), "{password}");
            assert_eq!(flow.step(), &LoginStep::NewPassword);
        }
    }

    #[test]
    fn host_password_rule_keeps_the_user_on_new_password() {
        let mut flow = at_new_password();
        new_password(&mut flow, "111111", "111111");
        flow.handle(LoginInput::Reply(Reply::PasswordChanged(Err(api(
            ErrorCode::PasswordRule,
        )))));
        assert_eq!(flow.step(), &LoginStep::NewPassword);
        assert_eq!(flow.message().unwrap().code, "password_rule");
    }

    #[test]
    fn expired_session_during_first_login_returns_to_credentials() {
        let mut flow = at_new_password();
        new_password(&mut flow, "111111", "111111");
        flow.handle(LoginInput::Reply(Reply::PasswordChanged(Err(api(
            ErrorCode::SessionExpired,
        )))));
        assert_eq!(flow.step(), &LoginStep::Credentials);
        assert_eq!(flow.message().unwrap().code, "session_expired");
    }

    #[test]
    fn config_failure_returns_to_credentials() {
        let mut flow = LoginFlow::new();
        submit(&mut flow, "123456");
        flow.handle(LoginInput::Reply(logged_in(SessionStage::Ready)));
        flow.handle(LoginInput::Reply(Reply::TerminalConfig(Err(
            HostError::Timeout,
        ))));
        assert_eq!(flow.step(), &LoginStep::Credentials);
        assert_eq!(flow.message().unwrap().code, "no_connection");
    }

    #[test]
    fn back_from_activation_returns_to_credentials() {
        let mut flow = LoginFlow::new();
        submit(&mut flow, "default1");
        flow.handle(LoginInput::Reply(logged_in(
            SessionStage::ActivationRequired,
        )));
        flow.handle(LoginInput::Back);
        assert_eq!(flow.step(), &LoginStep::Credentials);
    }

    #[test]
    fn inputs_of_other_steps_are_ignored() {
        let mut flow = LoginFlow::new();
        assert!(flow
            .handle(LoginInput::SubmitActivationCode { code: "1".into() })
            .is_empty());
        assert!(new_password(&mut flow, "123456", "123456").is_empty());
        assert_eq!(flow.step(), &LoginStep::Credentials);
    }
}
