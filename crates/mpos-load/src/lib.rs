//! Load and faults for the gateway: virtual readers whose sales are sealed
//! and signed ahead of time ([`readers`]), users seeded past their first
//! login ([`setup`]), real gateway processes ([`instances`]), the load loop
//! ([`drive`]), the yardsticks ([`baseline`], [`settle`]), and for the fault
//! suite a loopback proxy that drops answers ([`proxy`]) and the ledger that
//! counts charges lost and doubled ([`ledger`]).

pub mod baseline;
pub mod drive;
pub mod instances;
pub mod ledger;
pub mod proxy;
pub mod readers;
pub mod settle;
pub mod setup;
