//! Integration tests: they drive the real `renewflow` binary. One file per subcommand.

mod audit;
mod audit_import;
mod audit_log_files;
mod calendar;
mod calendar_bulk;
mod calendar_cross_check;
mod calendar_install;
mod case;
mod closed_pipe;
mod concurrency;
mod demo;
mod export;
mod file_limits;
mod guard;
mod help;
mod log_generator;
mod output;
mod reliability;
mod simulate;
mod test;
mod timing_levels;
mod validate_fuzz;
mod verify;
mod workflow;
mod workflow_fuzz;
mod workflow_store;
