package org.medfl.coordinator.testing;

import io.grpc.ManagedChannel;
import io.grpc.ServerInterceptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.medfl.common.pki.Identity;
import org.medfl.common.pki.TlsCredentials;
import org.medfl.common.testing.TestPki;
import org.medfl.common.transport.Channels;
import org.medfl.coordinator.CoordinatorServer;
import org.medfl.coordinator.access.CertificateCheck;
import org.medfl.coordinator.round.RoundDriver;
import org.medfl.proto.v1.AdminGrpc;
import org.medfl.proto.v1.SubmitJobRequest;

/** A real coordinator on 127.0.0.1 with mutual TLS, and channels to it for any identity; closes everything. */
public final class LoopbackCoordinator implements AutoCloseable {
  private final TestPki pki;
  private final CoordinatorServer server;
  private final List<ManagedChannel> channels = new ArrayList<>();

  private LoopbackCoordinator(TestPki pki, CoordinatorServer server) {
    this.pki = pki;
    this.server = server;
  }

  /**
   * Starts a coordinator on a free loopback port whose jobs start from {@code initialModel}; {@code faults} see every
   * call first (tests use them to lose replies on the way back).
   */
  public static LoopbackCoordinator start(TestPki pki, Identity coordinator, Path state,
      RoundDriver.InitialModel initialModel, ServerInterceptor... faults) throws IOException {
    return start(pki, coordinator, state, initialModel, CertificateCheck.expiryOnly(), faults);
  }

  /** Like the other {@code start}, checking callers' certificates with {@code check}. */
  public static LoopbackCoordinator start(TestPki pki, Identity coordinator, Path state,
      RoundDriver.InitialModel initialModel, CertificateCheck check, ServerInterceptor... faults) throws IOException {
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0),
        TlsCredentials.server(coordinator, pki.caCertificate()));
    for (ServerInterceptor fault : faults) {
      builder.intercept(fault);
    }
    return new LoopbackCoordinator(pki,
        new CoordinatorServer(builder, "test", state, coordinator, initialModel, check).start());
  }

  /** The server. */
  public CoordinatorServer server() {
    return server;
  }

  /** A mutual-TLS channel presenting {@code identity}; closed with this harness. */
  public ManagedChannel channelFor(Identity identity) {
    ManagedChannel channel = Channels.mutualTls("127.0.0.1", server.port(), identity, pki.caCertificate());
    channels.add(channel);
    return channel;
  }

  /** Submits {@code yaml} as the consortium admin "alice"; returns the job id. */
  public String submit(String yaml) {
    return AdminGrpc.newBlockingStub(channelFor(pki.admin("alice"))).withDeadlineAfter(30, TimeUnit.SECONDS)
        .submitJob(SubmitJobRequest.newBuilder().setJobSpecYaml(yaml).build()).getJobId();
  }

  @Override
  public void close() throws InterruptedException {
    for (ManagedChannel channel : channels) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    server.stop();
  }
}
