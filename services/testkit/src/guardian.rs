//! Runs a server under a shell that kills it when our end of its standard input closes.

use std::{
    io::{BufRead, BufReader},
    process::{Child, ChildStdin, Command, Stdio},
};

use anyhow::Context;

/// A server process watched by a guardian shell.
pub(crate) struct Guarded {
    guardian: Child,
    _stdin: ChildStdin,
    /// The server's own pid, for a hard kill.
    pub(crate) pid: u32,
}

impl Guarded {
    /// Starts `program args…` in the background under a guardian. Its output goes to `log`.
    pub(crate) fn spawn(
        program: &str,
        args: &[String],
        log: &std::path::Path,
        run_as: Option<&str>,
    ) -> anyhow::Result<Self> {
        let script = r#"log="$1"; shift
"$@" >"$log" 2>&1 &
child=$!
echo "$child"
read _ignored
kill -TERM "$child" 2>/dev/null
sleep 1
kill -KILL "$child" 2>/dev/null
wait "$child" 2>/dev/null
exit 0"#;
        let mut command = Command::new("sh");
        command.arg("-c").arg(script).arg("guardian").arg(log);
        if let Some(user) = run_as {
            command.args(["runuser", "-u", user, "--"]);
        }
        command.arg(program).args(args);
        let mut guardian = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("failed to start {program}"))?;

        let stdin = guardian.stdin.take().context("guardian has no stdin")?;
        let stdout = guardian.stdout.take().context("guardian has no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).context("guardian did not report a pid")?;
        let pid = line.trim().parse().with_context(|| format!("guardian said {line:?}"))?;
        Ok(Self { guardian, _stdin: stdin, pid })
    }

    /// Kills the server at once, as a crash would.
    pub(crate) fn kill_hard(mut self) {
        let _ = Command::new("kill").args(["-KILL", &self.pid.to_string()]).status();
        drop(self._stdin);
        let _ = self.guardian.wait();
    }
}
