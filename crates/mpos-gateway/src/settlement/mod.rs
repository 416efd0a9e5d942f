//! Settlement: business dates, batch totals, the 23:00 scheduler and the
//! phone's preview / settle-now.

pub mod batch;
pub mod business_date;
pub mod handlers;
pub mod scheduler;
