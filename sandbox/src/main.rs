//! `sandbox` binary: starts the emulator and prints where it listens.
//!
//! First stdout line, exactly: `sandbox listening on http://127.0.0.1:PORT`, then `key=value`
//! lines with the SenseLink credentials. Flags override `SANDBOX_*` environment variables.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;

use cyzen_senselink_sandbox::senselink::Edition;
use cyzen_senselink_sandbox::{cyzen::CyzenConfig, start, Config};
use serde_json::{Map, Value};

const USAGE: &str = "\
Usage: sandbox [options]

Options (each also read from the environment variable in brackets; flags win):
  --port N               listen port, 0 = any free port             [SANDBOX_PORT, default 8787]
  --host ADDR            listen address                             [SANDBOX_HOST, default 127.0.0.1]
  --seed N               seed of generated data and ids             [SANDBOX_SEED, default 1]
  --edition E            SenseLink edition: cloud | enterprise      [SANDBOX_EDITION, default cloud]
  --person-limit N       SenseLink Cloud person limit (code 709)    [SANDBOX_PERSON_LIMIT, default none]
  --app-key KEY          SenseLink app key                          [SANDBOX_APP_KEY, default sandbox-app-key]
  --app-secret SECRET    SenseLink app secret                       [SANDBOX_APP_SECRET, default sandbox-app-secret]
  --push-url URL         SenseLink event subscriber (http://...)    [SANDBOX_PUSH_URL]
  --push-timeout-ms N    subscriber answer deadline                 [SANDBOX_PUSH_TIMEOUT_MS, default 5000]
  --cyzen-config JSON    cyzen settings (object of CyzenConfig fields) [SANDBOX_CYZEN_CONFIG]
  --cyzen-FIELD VALUE    one cyzen setting, FIELD with dashes (e.g. --cyzen-auto-approve true)
                                                                    [SANDBOX_CYZEN_FIELD]
  -h, --help             this text
";

/// Raw option values before validation.
#[derive(Default)]
struct Options {
    values: Vec<(String, String)>,
    cyzen: Map<String, Value>,
}

impl Options {
    fn get(&self, name: &str) -> Option<&str> {
        self.values.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

const KNOWN: &[&str] = &[
    "port", "host", "seed", "edition", "person-limit", "app-key", "app-secret", "push-url", "push-timeout-ms",
    "cyzen-config",
];

/// A cyzen value as given on the command line: JSON when it parses (true, 5, ["a"]), else a string.
fn cyzen_value(raw: &str) -> Value {
    serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_string()))
}

fn read_options() -> Result<Options, String> {
    let mut options = Options::default();
    // Environment first, flags after (later entries win).
    for name in KNOWN {
        let var = format!("SANDBOX_{}", name.replace('-', "_").to_uppercase());
        if let Ok(value) = std::env::var(&var) {
            options.values.push((name.to_string(), value));
        }
    }
    for (var, value) in std::env::vars() {
        if let Some(field) = var.strip_prefix("SANDBOX_CYZEN_") {
            if field != "CONFIG" {
                options.cyzen.insert(field.to_lowercase(), cyzen_value(&value));
            }
        }
    }
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "-h" || arg == "--help" {
            return Err(String::new());
        }
        let Some(flag) = arg.strip_prefix("--") else {
            return Err(format!("unexpected argument {arg:?}"));
        };
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (flag.to_string(), None),
        };
        let value = match inline {
            Some(v) => v,
            None => args.next().ok_or_else(|| format!("--{name} needs a value"))?,
        };
        if KNOWN.contains(&name.as_str()) {
            options.values.push((name, value));
        } else if let Some(field) = name.strip_prefix("cyzen-") {
            options.cyzen.insert(field.replace('-', "_"), cyzen_value(&value));
        } else {
            return Err(format!("unknown option --{name}"));
        }
    }
    Ok(options)
}

fn parse<T: std::str::FromStr>(options: &Options, name: &str) -> Result<Option<T>, String> {
    options
        .get(name)
        .map(|v| v.trim().parse::<T>().map_err(|_| format!("--{name}: invalid value {v:?}")))
        .transpose()
}

/// Applies JSON settings onto the default `CyzenConfig` through its serde form, refusing names
/// it does not have.
fn cyzen_config(options: &Options) -> Result<CyzenConfig, String> {
    let mut patch = Map::new();
    if let Some(json) = options.get("cyzen-config") {
        match serde_json::from_str::<Value>(json) {
            Ok(Value::Object(map)) => patch.extend(map),
            _ => return Err("--cyzen-config must be a JSON object".into()),
        }
    }
    patch.extend(options.cyzen.clone());
    if patch.is_empty() {
        return Ok(CyzenConfig::default());
    }
    let mut current = match serde_json::to_value(CyzenConfig::default()) {
        Ok(Value::Object(map)) => map,
        _ => return Err("cyzen settings cannot be changed from the command line".into()),
    };
    for (key, value) in patch {
        if !current.contains_key(&key) {
            return Err(format!("unknown cyzen setting {key:?}"));
        }
        current.insert(key, value);
    }
    serde_json::from_value(Value::Object(current)).map_err(|e| format!("cyzen settings: {e}"))
}

fn config_from(options: &Options) -> Result<Config, String> {
    let mut config = Config::default();
    let host: IpAddr = parse(options, "host")?.unwrap_or(config.listen.ip());
    let port: u16 = parse(options, "port")?.unwrap_or(config.listen.port());
    config.listen = SocketAddr::new(host, port);
    config.seed = parse(options, "seed")?.unwrap_or(config.seed);
    let sl = &mut config.senselink;
    if let Some(edition) = options.get("edition") {
        sl.edition = edition.parse::<Edition>()?;
    }
    sl.person_limit = parse(options, "person-limit")?;
    if let Some(key) = options.get("app-key") {
        sl.app_key = key.to_string();
    }
    if let Some(secret) = options.get("app-secret") {
        sl.app_secret = secret.to_string();
    }
    sl.push_url = options.get("push-url").filter(|u| !u.is_empty()).map(str::to_string);
    sl.push_timeout_ms = parse(options, "push-timeout-ms")?.unwrap_or(sl.push_timeout_ms);
    config.cyzen = cyzen_config(options)?;
    Ok(config)
}

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
    let config = match read_options().and_then(|o| config_from(&o)) {
        Ok(config) => config,
        Err(message) if message.is_empty() => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("sandbox: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let senselink = config.senselink.clone();
    let cyzen = config.cyzen.clone();
    let seed = config.seed;
    let running = match start(config).await {
        Ok(running) => running,
        Err(e) => {
            eprintln!("sandbox: cannot listen: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "sandbox listening on {}", running.base_url());
    let _ = writeln!(out, "senselink.app_key={}", senselink.app_key);
    let _ = writeln!(out, "senselink.app_secret={}", senselink.app_secret);
    let _ = writeln!(out, "senselink.edition={}", senselink.edition.as_str());
    let base = running.base_url();
    let _ = writeln!(out, "cyzen.base_url={base}/webapi/v0");
    let _ = writeln!(out, "cyzen.company_id={}", cyzen.company_id);
    for token in &cyzen.static_tokens {
        let _ = writeln!(out, "cyzen.static_token={token}");
    }
    let _ = writeln!(out, "cyzen.authorize_url={base}/oauth/authorize");
    let _ = writeln!(out, "cyzen.token_url={base}/oauth/token");
    for client in &cyzen.clients {
        match &client.client_secret {
            Some(secret) => {
                let _ = writeln!(out, "cyzen.client={} secret={secret}", client.client_id);
            }
            None => {
                let _ = writeln!(out, "cyzen.client={} (public, PKCE only)", client.client_id);
            }
        }
    }
    let _ = writeln!(out, "cyzen.app_token={}={}", cyzen.app_token_header, cyzen.app_token);
    let _ = writeln!(out, "seed={seed}");
    let _ = out.flush();
    drop(out);

    wait_for_stop_signal().await;
    running.shutdown().await;
    // stdout may already be closed by whoever started us; never panic on the way out.
    let _ = writeln!(std::io::stdout(), "sandbox stopped");
    ExitCode::SUCCESS
}
