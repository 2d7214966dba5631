package org.medfl.deploy.cli;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.medfl.common.kit.StartupKit;
import org.medfl.common.pki.Role;
import org.medfl.common.pki.RevocationList;
import org.medfl.coordinator.CoordinatorServer;
import org.medfl.coordinator.access.CertificateCheck;
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
      "Runs until stopped; SIGTERM or Ctrl-C stops it cleanly, and a restart resumes unfinished jobs.",
      "Callers whose certificate expired, or is revoked by the CRL (--crl), are",
      "refused at each call; the CRL is re-read whenever the file changes, so a",
      "revocation needs no restart."})
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

    @Option(names = "--crl", paramLabel = "FILE",
        description = "The consortium's revocation list, from fl provision revoke (default: KIT/startup/crl.pem;"
            + " it may appear later).")
    Path crl;

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
      Path crlFile = crl != null ? crl : kit.crlFile();
      CertificateCheck certificates = CertificateCheck.withCrl(crlFile, kit.caCertificate());
      CoordinatorServer server = CoordinatorServer.withTls(new InetSocketAddress(bind, listenPort), kit.identity(),
          kit.caCertificate(), kit.consortium(), state, certificates);
      server.start();
      spec.commandLine().getOut().printf("coordinator of consortium %s listening on %s:%d (mutual TLS), state in %s%n",
          kit.consortium(), bind, server.port(), state.toAbsolutePath());
      RevocationList revocations = certificates.revocationList();
      spec.commandLine().getOut().printf("revocations: %s (CRL number %s, %d revoked; re-read when it changes)%n",
          crlFile.toAbsolutePath(), revocations.number(), revocations.size());
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
