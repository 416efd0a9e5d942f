//! Transaction details: password re-entry, then a search of unsettled
//! transactions by one criterion, the sale details (which hand over to the
//! void flow), and the way into manual settlement.

use super::settlement::{SettlementExit, SettlementFlow, SettlementInput};
use super::void::{VoidExit, VoidFlow, VoidInput};
use super::{normalize_auth_code, Command, Reply};
use crate::error::UserMessage;
use crate::notice::Notice;
use mpos_wire::api::{TransactionSearch, TransactionSummary, VerifyPasswordRequest};
use mpos_wire::ErrorCode;

/// How the query flow ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryExit {
    /// Home screen.
    Home,
    /// The session ended.
    Login(UserMessage),
}

/// Where the query stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryStep {
    /// Re-enter the password.
    Password,
    /// The search form and its results.
    Search,
    /// Sale details and void.
    Detail(VoidFlow),
    /// Manual settlement.
    Settlement(SettlementFlow),
    /// Over.
    Exit(QueryExit),
}

/// What the user or the driver feeds the query flow.
#[derive(Clone, PartialEq, Eq)]
pub enum QueryInput {
    /// The password, again.
    EnterPassword {
        /// As typed.
        password: String,
    },
    /// "Search".
    Search {
        /// One criterion.
        criteria: TransactionSearch,
    },
    /// A result tapped.
    OpenTransaction {
        /// Its gateway id.
        id: String,
    },
    /// "Enter settlement".
    EnterSettlement,
    /// An input for the sale details.
    Void(VoidInput),
    /// An input for the settlement.
    Settlement(SettlementInput),
    /// One step back.
    Back,
    /// Result of a command.
    Reply(Reply),
}

/// The query state machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryFlow {
    step: QueryStep,
    criteria: TransactionSearch,
    searched: Option<TransactionSearch>,
    results: Vec<TransactionSummary>,
    opening: Option<String>,
    message: Option<UserMessage>,
}

impl Default for QueryFlow {
    fn default() -> Self {
        QueryFlow::new()
    }
}

impl QueryFlow {
    /// Starts at the password.
    pub fn new() -> QueryFlow {
        QueryFlow {
            step: QueryStep::Password,
            criteria: TransactionSearch::default(),
            searched: None,
            results: Vec::new(),
            opening: None,
            message: None,
        }
    }

    /// The current step.
    pub fn step(&self) -> &QueryStep {
        &self.step
    }

    /// The search form as last submitted.
    pub fn criteria(&self) -> &TransactionSearch {
        &self.criteria
    }

    /// Unsettled transactions found.
    pub fn results(&self) -> &[TransactionSummary] {
        &self.results
    }

    /// The message of the password or search screen, if any.
    pub fn message(&self) -> Option<&UserMessage> {
        self.message.as_ref()
    }

    /// Feeds one input; returns the commands to run.
    pub fn handle(&mut self, input: QueryInput) -> Vec<Command> {
        let step = std::mem::replace(&mut self.step, QueryStep::Exit(QueryExit::Home));
        let (step, commands) = self.next(step, input);
        self.step = step;
        commands
    }

    fn next(&mut self, step: QueryStep, input: QueryInput) -> (QueryStep, Vec<Command>) {
        match step {
            QueryStep::Password => self.at_password(input),
            QueryStep::Search => self.at_search(input),
            QueryStep::Detail(mut detail) => {
                let input = match input {
                    QueryInput::Void(input) => input,
                    QueryInput::Back => VoidInput::Back,
                    QueryInput::Reply(reply) => VoidInput::Reply(reply),
                    _ => return (QueryStep::Detail(detail), Vec::new()),
                };
                let commands = detail.handle(input);
                match detail.step() {
                    super::void::VoidStep::Exit(VoidExit::BackToSearch) => self.back_to_search(),
                    super::void::VoidStep::Exit(VoidExit::Login(message)) => (
                        QueryStep::Exit(QueryExit::Login(message.clone())),
                        Vec::new(),
                    ),
                    _ => (QueryStep::Detail(detail), commands),
                }
            }
            QueryStep::Settlement(mut settlement) => {
                let input = match input {
                    QueryInput::Settlement(input) => input,
                    QueryInput::Back => SettlementInput::Back,
                    QueryInput::Reply(reply) => SettlementInput::Reply(reply),
                    _ => return (QueryStep::Settlement(settlement), Vec::new()),
                };
                let commands = settlement.handle(input);
                match settlement.step() {
                    super::settlement::SettlementStep::Exit(SettlementExit::BackToTransactions) => {
                        self.back_to_search()
                    }
                    super::settlement::SettlementStep::Exit(SettlementExit::Login(message)) => (
                        QueryStep::Exit(QueryExit::Login(message.clone())),
                        Vec::new(),
                    ),
                    _ => (QueryStep::Settlement(settlement), commands),
                }
            }
            QueryStep::Exit(exit) => (QueryStep::Exit(exit), Vec::new()),
        }
    }

    fn at_password(&mut self, input: QueryInput) -> (QueryStep, Vec<Command>) {
        match input {
            QueryInput::EnterPassword { password } => {
                if password.is_empty() {
                    self.message = Some(Notice::QueryPasswordMissing.into());
                    return (QueryStep::Password, Vec::new());
                }
                self.message = None;
                let command = Command::VerifyPassword(VerifyPasswordRequest { password });
                (QueryStep::Password, vec![command])
            }
            QueryInput::Reply(Reply::PasswordVerified(result)) => match result {
                Ok(()) => {
                    self.message = None;
                    (QueryStep::Search, Vec::new())
                }
                Err(error) if error.ends_session() => (
                    QueryStep::Exit(QueryExit::Login(error.user_message())),
                    Vec::new(),
                ),
                Err(error) => {
                    self.message = Some(error.user_message());
                    (QueryStep::Password, Vec::new())
                }
            },
            QueryInput::Back => (QueryStep::Exit(QueryExit::Home), Vec::new()),
            _ => (QueryStep::Password, Vec::new()),
        }
    }

    fn at_search(&mut self, input: QueryInput) -> (QueryStep, Vec<Command>) {
        match input {
            QueryInput::Search { criteria } => {
                self.criteria = criteria.clone();
                match validate_search(&criteria) {
                    Ok(normalized) => {
                        self.message = None;
                        self.searched = Some(normalized.clone());
                        (QueryStep::Search, vec![Command::Search(normalized)])
                    }
                    Err(notice) => {
                        self.message = Some(notice.into());
                        (QueryStep::Search, Vec::new())
                    }
                }
            }
            QueryInput::Reply(Reply::SearchResults(result)) => match result {
                Ok(list) => {
                    // The app shows unsettled transactions only (KGI guide);
                    // settled ones live in the merchant portal.
                    self.results = list
                        .transactions
                        .into_iter()
                        .filter(|transaction| !transaction.is_settled())
                        .collect();
                    self.message = self.results.is_empty().then(|| Notice::NoResults.into());
                    (QueryStep::Search, Vec::new())
                }
                Err(error) => self.search_failed(error),
            },
            QueryInput::OpenTransaction { id } => {
                if !self.results.iter().any(|transaction| transaction.id == id) {
                    self.message = Some(ErrorCode::NotFound.into());
                    return (QueryStep::Search, Vec::new());
                }
                self.opening = Some(id.clone());
                (QueryStep::Search, vec![Command::GetTransaction(id)])
            }
            QueryInput::Reply(Reply::Transaction(result)) if self.opening.is_some() => {
                self.opening = None;
                match result {
                    Ok(transaction) => {
                        self.message = None;
                        (QueryStep::Detail(VoidFlow::new(transaction)), Vec::new())
                    }
                    Err(error) => self.search_failed(error),
                }
            }
            QueryInput::EnterSettlement => {
                self.message = None;
                let (settlement, commands) = SettlementFlow::start();
                (QueryStep::Settlement(settlement), commands)
            }
            QueryInput::Back => (QueryStep::Exit(QueryExit::Home), Vec::new()),
            _ => (QueryStep::Search, Vec::new()),
        }
    }

    fn search_failed(
        &mut self,
        error: crate::model::host_error::HostError,
    ) -> (QueryStep, Vec<Command>) {
        if error.ends_session() {
            return (
                QueryStep::Exit(QueryExit::Login(error.user_message())),
                Vec::new(),
            );
        }
        self.message = Some(error.user_message());
        (QueryStep::Search, Vec::new())
    }

    fn back_to_search(&mut self) -> (QueryStep, Vec<Command>) {
        self.message = None;
        // A void or a settlement changed what is unsettled: search again.
        let commands = self
            .searched
            .clone()
            .map(Command::Search)
            .into_iter()
            .collect();
        (QueryStep::Search, commands)
    }
}

/// Checks a search: exactly one criterion; last 4 = 4 digits; authorization
/// code = 6 letters or digits; invoice number = 1 to 6 digits, sent
/// zero-padded to the 6 digits the gateway prints. Returns the normalized form.
pub fn validate_search(criteria: &TransactionSearch) -> Result<TransactionSearch, Notice> {
    let present = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(str::to_string)
    };
    let last4 = present(&criteria.last4);
    let auth_code = present(&criteria.auth_code);
    let invoice_no = present(&criteria.invoice_no);
    let count = [&last4, &auth_code, &invoice_no]
        .iter()
        .filter(|value| value.is_some())
        .count();
    match count {
        0 => return Err(Notice::SearchCriterionMissing),
        1 => {}
        _ => return Err(Notice::SearchOneCriterion),
    }
    if let Some(last4) = last4 {
        if last4.len() != 4 || !last4.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Notice::Last4Invalid);
        }
        return Ok(TransactionSearch {
            last4: Some(last4),
            ..TransactionSearch::default()
        });
    }
    if let Some(code) = auth_code {
        let code = normalize_auth_code(&code).ok_or(Notice::AuthCodeInvalid)?;
        return Ok(TransactionSearch {
            auth_code: Some(code),
            ..TransactionSearch::default()
        });
    }
    let invoice = invoice_no.unwrap_or_default();
    if invoice.is_empty() || invoice.len() > 6 || !invoice.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Notice::InvoiceNoInvalid);
    }
    Ok(TransactionSearch {
        invoice_no: Some(format!("{invoice:0>6}")),
        ..TransactionSearch::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::settlement::SettlementStep;
    use crate::flows::testing;
    use crate::flows::void::VoidStep;
    use crate::model::host_error::HostError;
    use mpos_wire::api::{TransactionList, TxnKind, TxnStatus};
    use mpos_wire::{ApiError, Brand, Money};

    fn by_last4(value: &str) -> TransactionSearch {
        TransactionSearch {
            last4: Some(value.into()),
            ..TransactionSearch::default()
        }
    }

    fn txn(id: &str, settled: bool) -> TransactionSummary {
        let mut t = testing::summary(
            id,
            TxnKind::Sale,
            TxnStatus::Approved,
            Money::twd_minor(10_000),
            Brand::Visa,
        );
        if settled {
            t.batch_id = Some("B1".into());
        }
        t
    }

    fn at_search() -> QueryFlow {
        let mut flow = QueryFlow::new();
        let commands = flow.handle(QueryInput::EnterPassword {
            password: "135790".into(),
        });
        assert_eq!(
            commands,
            vec![Command::VerifyPassword(VerifyPasswordRequest {
                password: "135790".into()
            })]
        );
        flow.handle(QueryInput::Reply(Reply::PasswordVerified(Ok(()))));
        assert_eq!(flow.step(), &QueryStep::Search);
        flow
    }

    fn with_results() -> QueryFlow {
        let mut flow = at_search();
        flow.handle(QueryInput::Search {
            criteria: by_last4("1111"),
        });
        flow.handle(QueryInput::Reply(Reply::SearchResults(Ok(
            TransactionList {
                transactions: vec![txn("t1", false), txn("t2", true)],
            },
        ))));
        flow
    }

    #[test]
    fn password_is_required_and_checked_by_the_host() {
        let mut flow = QueryFlow::new();
        assert!(flow
            .handle(QueryInput::EnterPassword {
                password: String::new()
            })
            .is_empty());
        assert_eq!(flow.message().unwrap().code, "query_password_missing");
        flow.handle(QueryInput::EnterPassword {
            password: "000000".into(),
        });
        let wrong = HostError::Api(ApiError::new(ErrorCode::InvalidCredentials));
        flow.handle(QueryInput::Reply(Reply::PasswordVerified(Err(wrong))));
        assert_eq!(flow.step(), &QueryStep::Password);
        assert_eq!(flow.message().unwrap().code, "invalid_credentials");
        // No search before the password.
        assert!(flow
            .handle(QueryInput::Search {
                criteria: by_last4("1111")
            })
            .is_empty());
    }

    #[test]
    fn search_criteria_are_validated() {
        let cases = [
            (
                TransactionSearch::default(),
                Err(Notice::SearchCriterionMissing),
            ),
            (by_last4("  "), Err(Notice::SearchCriterionMissing)),
            (by_last4("111"), Err(Notice::Last4Invalid)),
            (by_last4("11111"), Err(Notice::Last4Invalid)),
            (by_last4("11a1"), Err(Notice::Last4Invalid)),
            (by_last4(" 1111 "), Ok(by_last4("1111"))),
            (
                TransactionSearch {
                    last4: Some("1111".into()),
                    auth_code: Some("A1B2C3".into()),
                    invoice_no: None,
                },
                Err(Notice::SearchOneCriterion),
            ),
            (
                TransactionSearch {
                    auth_code: Some("a1b2c3".into()),
                    ..Default::default()
                },
                Ok(TransactionSearch {
                    auth_code: Some("A1B2C3".into()),
                    ..Default::default()
                }),
            ),
            (
                TransactionSearch {
                    auth_code: Some("A1B2".into()),
                    ..Default::default()
                },
                Err(Notice::AuthCodeInvalid),
            ),
            (
                TransactionSearch {
                    invoice_no: Some("42".into()),
                    ..Default::default()
                },
                Ok(TransactionSearch {
                    invoice_no: Some("000042".into()),
                    ..Default::default()
                }),
            ),
            (
                TransactionSearch {
                    invoice_no: Some("4x".into()),
                    ..Default::default()
                },
                Err(Notice::InvoiceNoInvalid),
            ),
            (
                TransactionSearch {
                    invoice_no: Some("1234567".into()),
                    ..Default::default()
                },
                Err(Notice::InvoiceNoInvalid),
            ),
        ];
        for (criteria, expected) in cases {
            assert_eq!(validate_search(&criteria), expected, "{criteria:?}");
        }
    }

    #[test]
    fn invalid_search_sends_nothing_and_says_why() {
        let mut flow = at_search();
        assert!(flow
            .handle(QueryInput::Search {
                criteria: by_last4("12")
            })
            .is_empty());
        assert_eq!(flow.message().unwrap().code, "last4_invalid");
        assert_eq!(flow.criteria(), &by_last4("12"));
    }

    #[test]
    fn results_show_unsettled_transactions_only() {
        let flow = with_results();
        let ids: Vec<_> = flow.results().iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["t1"]);
        assert!(flow.message().is_none());
    }

    #[test]
    fn empty_results_say_where_to_look() {
        let mut flow = at_search();
        flow.handle(QueryInput::Search {
            criteria: by_last4("9999"),
        });
        flow.handle(QueryInput::Reply(Reply::SearchResults(Ok(
            TransactionList {
                transactions: vec![txn("t2", true)],
            },
        ))));
        assert!(flow.results().is_empty());
        assert_eq!(flow.message().unwrap().code, "no_results");
    }

    #[test]
    fn opening_a_result_loads_it_and_shows_the_details() {
        let mut flow = with_results();
        assert!(flow
            .handle(QueryInput::OpenTransaction { id: "t2".into() })
            .is_empty());
        assert_eq!(flow.message().unwrap().code, "not_found");
        assert_eq!(
            flow.handle(QueryInput::OpenTransaction { id: "t1".into() }),
            vec![Command::GetTransaction("t1".into())]
        );
        flow.handle(QueryInput::Reply(Reply::Transaction(Ok(txn("t1", false)))));
        match flow.step() {
            QueryStep::Detail(detail) => {
                assert_eq!(detail.step(), &VoidStep::Detail(txn("t1", false)))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn leaving_the_details_searches_again() {
        let mut flow = with_results();
        flow.handle(QueryInput::OpenTransaction { id: "t1".into() });
        flow.handle(QueryInput::Reply(Reply::Transaction(Ok(txn("t1", false)))));
        let commands = flow.handle(QueryInput::Back);
        assert_eq!(flow.step(), &QueryStep::Search);
        assert_eq!(commands, vec![Command::Search(by_last4("1111"))]);
    }

    #[test]
    fn void_inputs_reach_the_details() {
        let mut flow = with_results();
        flow.handle(QueryInput::OpenTransaction { id: "t1".into() });
        flow.handle(QueryInput::Reply(Reply::Transaction(Ok(txn("t1", false)))));
        let commands = flow.handle(QueryInput::Void(VoidInput::VoidNow {
            fresh_key: "k".into(),
        }));
        assert!(matches!(commands.as_slice(), [Command::Void { .. }]));
    }

    #[test]
    fn settlement_opens_from_the_search_and_returns_to_it() {
        let mut flow = at_search();
        let commands = flow.handle(QueryInput::EnterSettlement);
        assert_eq!(commands, vec![Command::FetchSettlementPreview]);
        assert!(
            matches!(flow.step(), QueryStep::Settlement(s) if s.step() == &SettlementStep::Review(None))
        );
        flow.handle(QueryInput::Back);
        assert_eq!(flow.step(), &QueryStep::Search);
    }

    #[test]
    fn expired_session_leaves_for_login() {
        let mut flow = at_search();
        flow.handle(QueryInput::Search {
            criteria: by_last4("1111"),
        });
        let expired = HostError::Api(ApiError::new(ErrorCode::SessionExpired));
        flow.handle(QueryInput::Reply(Reply::SearchResults(Err(expired))));
        assert!(matches!(flow.step(), QueryStep::Exit(QueryExit::Login(_))));
    }

    #[test]
    fn back_from_password_or_search_goes_home() {
        let mut flow = QueryFlow::new();
        flow.handle(QueryInput::Back);
        assert_eq!(flow.step(), &QueryStep::Exit(QueryExit::Home));
        let mut flow = at_search();
        flow.handle(QueryInput::Back);
        assert_eq!(flow.step(), &QueryStep::Exit(QueryExit::Home));
    }
}
