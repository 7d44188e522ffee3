//! Format detection, then the import of whatever was detected, on arbitrary
//! bytes under several file names (the extension breaks ties).
#![no_main]

use kura_tui_fuzz::harness;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| harness::check_detect(data));
