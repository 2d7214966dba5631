package org.medfl.coordinator;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import org.medfl.common.model.ModelZoo;
import org.medfl.common.pki.Identity;
import org.medfl.common.pki.TlsCredentials;
import org.medfl.coordinator.access.CertificateCheck;
import org.medfl.coordinator.access.RoleInterceptor;
import org.medfl.coordinator.admin.AdminService;
import org.medfl.coordinator.admin.AuditService;
import org.medfl.coordinator.boundary.CallEnd;
import org.medfl.coordinator.boundary.HostileInputGuard;
import org.medfl.coordinator.fleet.FleetService;
import org.medfl.coordinator.fleet.SiteRoster;
import org.medfl.coordinator.job.JobRegistry;
import org.medfl.coordinator.round.RoundDriver;
import org.medfl.coordinator.round.TaskBoard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The coordinator process: its gRPC server, roster, task board and jobs. */
public final class CoordinatorServer {
  private static final Logger LOG = LoggerFactory.getLogger(CoordinatorServer.class);

  /**
   * Largest message a caller may send (gRPC's default, made explicit): model chunks are at most 1 MiB and every other
   * request is small, so anything larger is refused with RESOURCE_EXHAUSTED before it is read.
   */
  public static final int MAX_INBOUND_MESSAGE_BYTES = 4 << 20;

  private final Server server;
  private final SiteRoster roster = new SiteRoster();
  private final TaskBoard board = new TaskBoard();
  private final JobRegistry jobs;

  /**
   * @param builder a server builder with its transport and credentials chosen (TLS in production)
   * @param consortium the consortium name, echoed to joining sites
   * @param stateDir where jobs, checkpoints and audit logs live
   * @param identity the coordinator's certificate and key; the key signs audit records
   * @param initialModel creates the round-0 model of new jobs
   */
  public CoordinatorServer(ServerBuilder<?> builder, String consortium, Path stateDir, Identity identity,
      RoundDriver.InitialModel initialModel) {
    this(builder, consortium, stateDir, identity, initialModel, CertificateCheck.expiryOnly());
  }

  /**
   * @param builder a server builder with its transport and credentials chosen (TLS in production)
   * @param consortium the consortium name, echoed to joining sites
   * @param stateDir where jobs, checkpoints and audit logs live
   * @param identity the coordinator's certificate and key; the key signs audit records
   * @param initialModel creates the round-0 model of new jobs
   * @param certificates refuses callers whose certificate expired or was revoked, checked on every call
   */
  public CoordinatorServer(ServerBuilder<?> builder, String consortium, Path stateDir, Identity identity,
      RoundDriver.InitialModel initialModel, CertificateCheck certificates) {
    this.jobs = new JobRegistry(stateDir, identity, roster, board, initialModel);
    RoleInterceptor access = new RoleInterceptor(certificates);
    this.server = builder
        .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
        .addStreamTracerFactory(new CallEnd())
        .addService(guarded(new FleetService(consortium, roster, board, jobs), access))
        .addService(guarded(new AdminService(jobs, roster), access))
        .addService(guarded(new AuditService(jobs), access))
        .build();
  }

  /** The caller's role is checked first; then requests are parsed by the guard, which refuses malformed ones. */
  private static ServerServiceDefinition guarded(BindableService service, RoleInterceptor access) {
    return HostileInputGuard.guard(ServerInterceptors.intercept(service, access));
  }

  /** A mutual-TLS server on {@code bind}: only certificates issued by {@code ca} get in; no revocation list. */
  public static CoordinatorServer withTls(InetSocketAddress bind, Identity identity, X509Certificate ca,
      String consortium, Path stateDir) {
    return withTls(bind, identity, ca, consortium, stateDir, CertificateCheck.expiryOnly());
  }

  /**
   * A mutual-TLS server on {@code bind}: only certificates issued by {@code ca} get in, and of those only the ones
   * {@code certificates} still accepts at each call (e.g. {@link CertificateCheck#withCrl}).
   */
  public static CoordinatorServer withTls(InetSocketAddress bind, Identity identity, X509Certificate ca,
      String consortium, Path stateDir, CertificateCheck certificates) {
    NettyServerBuilder builder = NettyServerBuilder.forAddress(bind, TlsCredentials.server(identity, ca))
        .permitKeepAliveTime(10, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true);
    return new CoordinatorServer(builder, consortium, stateDir, identity, CoordinatorServer::freshModel,
        certificates);
  }

  /** Round-0 parameters of the spec's model: its pretrained file's, else deterministic from its seed. */
  public static float[] freshModel(org.medfl.common.job.JobSpec spec) {
    return ModelZoo.initialParameters(spec);
  }

  /** Resumes unfinished jobs, then starts listening. */
  public CoordinatorServer start() throws IOException {
    jobs.resumeAll();
    server.start();
    LOG.info("coordinator listening on port {}", server.getPort());
    return this;
  }

  /** The port the server listens on (useful when started on port 0). */
  public int port() {
    return server.getPort();
  }

  /** Sites heard from. */
  public SiteRoster roster() {
    return roster;
  }

  /** The jobs. */
  public JobRegistry jobs() {
    return jobs;
  }

  /** Stops accepting calls, stops the job threads (they resume at their last committed round next time). */
  public void stop() {
    server.shutdown();
    jobs.close();
    try {
      if (!server.awaitTermination(10, TimeUnit.SECONDS)) {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** Blocks until the server terminates; gRPC's threads are daemons, so main must wait here. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }
}
