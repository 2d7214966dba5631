package org.medfl.common.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.medfl.common.testing.TestPki;

class MutualTlsTest {
  private static final Context.Key<String> CALLER = Context.key("caller");
  private static final MethodDescriptor<String, String> WHOAMI = MethodDescriptor.<String, String>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName(MethodDescriptor.generateFullMethodName("test.Whoami", "Ask"))
      .setRequestMarshaller(new Utf8Marshaller())
      .setResponseMarshaller(new Utf8Marshaller())
      .build();

  private final TestPki pki = TestPki.create("demo");
  private final List<Server> servers = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  @AfterEach
  void shutDown() throws InterruptedException {
    channels.forEach(ManagedChannel::shutdownNow);
    servers.forEach(Server::shutdownNow);
    for (ManagedChannel channel : channels) {
      channel.awaitTermination(10, TimeUnit.SECONDS);
    }
    for (Server server : servers) {
      server.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void clientWithConsortiumCertificateIsIdentifiedByNameAndRole() throws IOException {
    // given
    int port = startServer(pki.coordinator(), pki);

    // when
    String answer = ask(port, TlsCredentials.client(pki.site("site-a"), pki.caCertificate()));

    // then
    assertEquals("site-a site TLSv1.3", answer);
  }

  @Test
  void clientWithoutCertificateIsRefused() throws IOException {
    // given
    int port = startServer(pki.coordinator(), pki);
    ChannelCredentials noCertificate = TlsChannelCredentials.newBuilder()
        .trustManager(pemStream(Pem.certificatesToPem(pki.caCertificate())))
        .build();

    // when
    StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> ask(port, noCertificate));

    // then
    assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
  }

  @Test
  void clientWithCertificateFromAnotherCaIsRefused() throws IOException {
    // given
    int port = startServer(pki.coordinator(), pki);
    TestPki impostor = TestPki.create("demo");
    ChannelCredentials foreign = TlsCredentials.client(impostor.site("site-a"), pki.caCertificate());

    // when
    StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> ask(port, foreign));

    // then
    assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
  }

  @Test
  void serverWithCertificateFromAnotherCaIsRefused() throws IOException {
    // given
    TestPki impostor = TestPki.create("demo");
    int port = startServer(impostor.coordinator(), impostor);
    ChannelCredentials honest = TlsCredentials.client(pki.site("site-a"), pki.caCertificate());

    // when
    StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> ask(port, honest));

    // then
    assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
  }

  private int startServer(Identity coordinator, TestPki trusted) throws IOException {
    ServerServiceDefinition service = ServerServiceDefinition.builder("test.Whoami")
        .addMethod(WHOAMI, ServerCalls.asyncUnaryCall((request, response) -> {
          response.onNext(CALLER.get());
          response.onCompleted();
        }))
        .build();
    Server server = NettyServerBuilder
        .forAddress(new InetSocketAddress("127.0.0.1", 0),
            TlsCredentials.server(coordinator, trusted.caCertificate()))
        .addService(ServerInterceptors.intercept(service, new PeerInterceptor()))
        .build()
        .start();
    servers.add(server);
    return ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
  }

  private String ask(int port, ChannelCredentials credentials) {
    ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", port, credentials).build();
    channels.add(channel);
    // The deadline bounds a refused handshake that would otherwise be retried until the test times out.
    return ClientCalls.blockingUnaryCall(
        channel, WHOAMI, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), "who am I?");
  }

  private static InputStream pemStream(String pem) {
    return new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII));
  }

  /** Puts "name role protocol" of the verified caller into the call context, as a role interceptor would. */
  private static final class PeerInterceptor implements ServerInterceptor {
    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
      SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
      return Peer.fromSslSession(session)
          .map(peer -> Contexts.interceptCall(
              Context.current().withValue(CALLER,
                  peer.name() + " " + peer.role().certValue() + " " + session.getProtocol()),
              call, headers, next))
          .orElseGet(() -> {
            call.close(Status.UNAUTHENTICATED.withDescription("no verified client certificate"), new Metadata());
            return new ServerCall.Listener<>() {};
          });
    }
  }

  /** Strings as UTF-8 bytes: enough of a message format for a one-method test service. */
  private static final class Utf8Marshaller implements MethodDescriptor.Marshaller<String> {
    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
