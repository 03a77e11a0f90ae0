//! Input: the data contract (the SSD tables and columns the tool reads), the reference tables, loading the latest
//! snapshot of every LA, and `extract`, which writes a snapshot from the council's database.

pub mod contract;
pub mod extract;
pub mod reference;
pub mod snapshot;
