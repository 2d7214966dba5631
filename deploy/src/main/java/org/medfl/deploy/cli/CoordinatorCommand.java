package org.medfl.deploy.cli;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.medfl.common.kit.StartupKit;
import org.medfl.common.pki.Role;
import org.medfl.coordinator.CoordinatorServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** fl coordinator: run the coordinator. */
@Command(mixinStandardHelpOptions = true, name = "coordinator", description = "Run the coordinator.", subcommands = CoordinatorCommand.Start.class)
final class CoordinatorCommand {
  /** fl coordinator start. */
  @Command(name = "start", description = {
      "Start the coordinator's gRPC server (mutual TLS only: clients need a certificate from the consortium CA).",
      "Runs until stopped; SIGTERM or Ctrl-C stops it cleanly, and a restart resumes unfinished jobs."})
  static final class Start implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    @Option(names = "--kit", required = true, paramLabel = "DIR", description = "The coordinator's startup kit.")
    Path kitDir;

    @Option(names = "--state", required = true, paramLabel = "DIR",
        description = "State directory: jobs, checkpoints, audit logs.")
    Path state;

    @Option(names = "--port", paramLabel = "N", description = "Port to listen on (default: the kit's).")
    Integer port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "0.0.0.0",
        description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String bind;

    @Override
    public Integer call() throws Exception {
      StartupKit kit = KitOptions.load(kitDir, Role.COORDINATOR);
      int listenPort = port != null ? port : kit.coordinatorPort();
      if (listenPort < 0 || listenPort > 65535) {
        throw new CliException(ExitCodes.USAGE, "--port must be between 0 and 65535, got " + listenPort);
      }
      CoordinatorServer server = CoordinatorServer.withTls(new InetSocketAddress(bind, listenPort), kit.identity(),
          kit.caCertificate(), kit.consortium(), state);
      server.start();
      spec.commandLine().getOut().printf("coordinator of consortium %s listening on %s:%d (mutual TLS), state in %s%n",
          kit.consortium(), bind, server.port(), state.toAbsolutePath());
      spec.commandLine().getOut().flush();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        // stderr, not the logger: slf4j may already be shut down by its own hook
        System.err.println("fl: stopping coordinator; unfinished jobs resume at their last committed round");
        server.stop();
      }, "coordinator-shutdown"));
      server.awaitTermination();
      return ExitCodes.OK;
    }
  }
}
