//! `sandbox` binary: starts the emulator and prints where it listens.
//!
//! First stdout line, exactly: `sandbox listening on http://127.0.0.1:PORT`, then `key=value`
//! lines with the SenseLink credentials. Flags override `SANDBOX_*` environment variables (the
//! options and the lines are `cyzen_senselink_sandbox::cli`, shared with the npm package's `bin`).

use std::io::Write;
use std::process::ExitCode;

use cyzen_senselink_sandbox::cli::{self, CliError, USAGE};
use cyzen_senselink_sandbox::start;

async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let env: Vec<(String, String)> =
        std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))).collect();
    let config = match cli::parse(&args, &env) {
        Ok(config) => config,
        Err(CliError::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(CliError::Invalid(message)) => {
            eprintln!("sandbox: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let running = match start(config.clone()).await {
        Ok(running) => running,
        Err(e) => {
            eprintln!("sandbox: cannot listen: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(cli::banner(&config, &running.base_url()).as_bytes());
    let _ = out.flush();
    drop(out);

    wait_for_stop_signal().await;
    running.shutdown().await;
    // stdout may already be closed by whoever started us; never panic on the way out.
    let _ = writeln!(std::io::stdout(), "sandbox stopped");
    ExitCode::SUCCESS
}
