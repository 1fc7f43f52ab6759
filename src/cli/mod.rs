//! The command line: `trawl [OPTIONS] DIR EXT PATTERN`.
