//! `trawl --generate KIND`: the man page and the shell completions, made from the same clap
//! definition that parses the arguments ([`Args`]), so they can never describe other flags.

use std::io::{self, Write};

use clap::{CommandFactory, ValueEnum};
use clap_complete::Shell;

use crate::cli::args::Args;

/// What `--generate` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GenerateKind {
    /// A roff man page of every flag.
    Man,
    /// A bash completion script.
    CompleteBash,
    /// A zsh completion script.
    CompleteZsh,
    /// A fish completion script.
    CompleteFish,
    /// A PowerShell completion script.
    CompletePowershell,
}

/// The file `kind` names, as bytes.
pub fn generate(kind: GenerateKind) -> io::Result<Vec<u8>> {
    let mut command = Args::command();
    let mut out = Vec::new();
    let shell = match kind {
        GenerateKind::Man => {
            clap_mangen::Man::new(command).render(&mut out)?;
            return Ok(out);
        }
        GenerateKind::CompleteBash => Shell::Bash,
        GenerateKind::CompleteZsh => Shell::Zsh,
        GenerateKind::CompleteFish => Shell::Fish,
        GenerateKind::CompletePowershell => Shell::PowerShell,
    };
    // Written to memory, not to standard output: clap_complete panics on a failed write, and
    // `trawl --generate complete-bash | head` must end quietly.
    let name = command.get_name().to_string();
    clap_complete::generate(shell, &mut command, name, &mut out);
    Ok(out)
}

/// Prints the file `kind` names on `out`.
pub fn write(kind: GenerateKind, out: &mut impl Write) -> io::Result<()> {
    out.write_all(&generate(kind)?)?;
    out.flush()
}
