package org.medfl.deploy.federation;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An {@code fl} command in a JVM of its own, as in production, so that a test can kill it with SIGKILL and start it
 * again on the same kit and state. Its stdout and stderr go to a log file the test can read.
 */
final class FlProcess {
  private FlProcess() {}

  /** {@code fl coordinator start} listening on 127.0.0.1:{@code port}; {@code jvmOptions} such as -Dkey=value. */
  static Process coordinator(Path kit, Path state, int port, Path log, String... jvmOptions) throws IOException {
    return start(log, List.of(jvmOptions), "coordinator", "start", "--kit", kit.toString(), "--state",
        state.toString(), "--bind", "127.0.0.1", "--port", Integer.toString(port));
  }

  /** {@code fl site start}: joins the coordinator named in the kit and trains when asked. */
  static Process site(Path kit, Path data, Path state, Path log) throws IOException {
    return start(log, List.of(), "site", "start", "--kit", kit.toString(), "--data", data.toString(), "--state",
        state.toString());
  }

  /** Kills the process with SIGKILL (no shutdown hooks run) and waits until it is gone. */
  static void kill(Process process) throws InterruptedException {
    process.destroyForcibly();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "process " + process.pid() + " outlived SIGKILL");
  }

  /** A loopback port nothing listened on a moment ago, for a coordinator that must keep its port across restarts. */
  static int freePort() throws IOException {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    }
  }

  private static Process start(Path log, List<String> jvmOptions, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx1g");
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.medfl.deploy.Main"));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }
}
