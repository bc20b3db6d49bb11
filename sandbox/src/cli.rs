//! The `sandbox` command line: flags, `SANDBOX_*` environment variables and the lines printed
//! once listening. Shared by the binary (`src/main.rs`) and the npm package's `bin`, so both take
//! the same options and print the same first line.

use std::net::{IpAddr, SocketAddr};

use serde_json::{Map, Value};

use crate::cyzen::CyzenConfig;
use crate::senselink::Edition;
use crate::Config;

/// Why [`parse`] gave no configuration.
#[derive(Debug, PartialEq, Eq)]
pub enum CliError {
    /// `-h` / `--help`: print [`USAGE`] and exit 0.
    Help,
    /// A bad option: print the message and [`USAGE`] to stderr and exit 2.
    Invalid(String),
}

/// The configuration given by `args` (without the program name) and `env` (the process
/// environment; `SANDBOX_*` variables are read, flags win).
pub fn parse(args: &[String], env: &[(String, String)]) -> Result<Config, CliError> {
    match read_options(args, env).and_then(|o| config_from(&o)) {
        Ok(config) => Ok(config),
        Err(message) if message.is_empty() => Err(CliError::Help),
        Err(message) => Err(CliError::Invalid(message)),
    }
}

/// What the server prints once it listens at `base_url`: first line exactly
/// `sandbox listening on http://127.0.0.1:PORT`, then `key=value` lines, each ending in `\n`.
pub fn banner(config: &Config, base_url: &str) -> String {
    let senselink = &config.senselink;
    let cyzen = &config.cyzen;
    let mut out = format!("sandbox listening on {base_url}\n");
    out += &format!("senselink.app_key={}\n", senselink.app_key);
    out += &format!("senselink.app_secret={}\n", senselink.app_secret);
    out += &format!("senselink.edition={}\n", senselink.edition.as_str());
    out += &format!("cyzen.base_url={base_url}/webapi/v0\n");
    out += &format!("cyzen.company_id={}\n", cyzen.company_id);
    for token in &cyzen.static_tokens {
        out += &format!("cyzen.static_token={token}\n");
    }
    out += &format!("cyzen.authorize_url={base_url}/oauth/authorize\n");
    out += &format!("cyzen.token_url={base_url}/oauth/token\n");
    for client in &cyzen.clients {
        match &client.client_secret {
            Some(secret) => out += &format!("cyzen.client={} secret={secret}\n", client.client_id),
            None => out += &format!("cyzen.client={} (public, PKCE only)\n", client.client_id),
        }
    }
    out += &format!("cyzen.app_token={}={}\n", cyzen.app_token_header, cyzen.app_token);
    out += &format!("seed={}\n", config.seed);
    out
}

/// `http://ADDR` for a bound address (loopback when bound to an unspecified address).
pub fn base_url(mut addr: SocketAddr) -> String {
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    format!("http://{addr}")
}

pub const USAGE: &str = "\
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

fn read_options(args: &[String], env: &[(String, String)]) -> Result<Options, String> {
    let mut options = Options::default();
    // Environment first, flags after (later entries win).
    for name in KNOWN {
        let var = format!("SANDBOX_{}", name.replace('-', "_").to_uppercase());
        if let Some((_, value)) = env.iter().find(|(k, _)| *k == var) {
            options.values.push((name.to_string(), value.clone()));
        }
    }
    for (var, value) in env {
        if let Some(field) = var.strip_prefix("SANDBOX_CYZEN_") {
            if field != "CONFIG" {
                options.cyzen.insert(field.to_lowercase(), cyzen_value(value));
            }
        }
    }
    let mut args = args.iter().cloned();
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

fn parse_option<T: std::str::FromStr>(options: &Options, name: &str) -> Result<Option<T>, String> {
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
    let config: CyzenConfig = serde_json::from_value(Value::Object(current)).map_err(|e| format!("cyzen settings: {e}"))?;
    match &config.anchor {
        Some(anchor) if !crate::cyzen::is_valid_anchor(anchor) => {
            Err(format!("cyzen anchor {anchor:?} is not YYYY-MM-DDThh:mm:ss"))
        }
        _ => Ok(config),
    }
}

fn config_from(options: &Options) -> Result<Config, String> {
    let mut config = Config::default();
    let host: IpAddr = parse_option(options, "host")?.unwrap_or(config.listen.ip());
    let port: u16 = parse_option(options, "port")?.unwrap_or(config.listen.port());
    config.listen = SocketAddr::new(host, port);
    config.seed = parse_option(options, "seed")?.unwrap_or(config.seed);
    let sl = &mut config.senselink;
    if let Some(edition) = options.get("edition") {
        sl.edition = edition.parse::<Edition>()?;
    }
    sl.person_limit = parse_option(options, "person-limit")?;
    if let Some(key) = options.get("app-key") {
        sl.app_key = key.to_string();
    }
    if let Some(secret) = options.get("app-secret") {
        sl.app_secret = secret.to_string();
    }
    sl.push_url = options.get("push-url").filter(|u| !u.is_empty()).map(str::to_string);
    sl.push_timeout_ms = parse_option(options, "push-timeout-ms")?.unwrap_or(sl.push_timeout_ms);
    config.cyzen = cyzen_config(options)?;
    Ok(config)
}
