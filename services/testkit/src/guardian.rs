//! Runs a server under a shell that kills it when our end of its standard input closes.

use std::{
    io::{BufRead, BufReader},
    process::{Child, ChildStdin, Command, Stdio},
};

use anyhow::Context;

/// A process watched by a guardian shell, killed when this handle or the test process goes.
pub struct Guarded {
    guardian: Child,
    stdin: Option<ChildStdin>,
    /// The process's own pid, for a hard kill.
    pub pid: u32,
}

impl Guarded {
    /// Starts `program args…` in the background under a guardian. Its output goes to `log`.
    pub fn spawn(
        program: &str,
        args: &[String],
        log: &std::path::Path,
        run_as: Option<&str>,
    ) -> anyhow::Result<Self> {
        Self::spawn_with_env(program, args, &[], log, run_as)
    }

    /// As [`Guarded::spawn`], with extra environment variables.
    pub fn spawn_with_env(
        program: &str,
        args: &[String],
        env: &[(String, String)],
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
        command.arg(program).args(args).envs(env.iter().map(|(key, value)| (key, value)));
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
        Ok(Self { guardian, stdin: Some(stdin), pid })
    }

    /// Kills the process at once, as a crash would (SIGKILL).
    pub fn kill_hard(mut self) {
        let _ = Command::new("kill").args(["-KILL", &self.pid.to_string()]).status();
        self.stop_guardian();
    }

    fn stop_guardian(&mut self) {
        drop(self.stdin.take());
        let _ = self.guardian.wait();
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        self.stop_guardian();
    }
}
