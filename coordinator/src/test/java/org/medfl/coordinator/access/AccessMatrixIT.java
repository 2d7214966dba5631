package org.medfl.coordinator.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.common.pki.Identity;
import org.medfl.common.pki.TlsCredentials;
import org.medfl.common.testing.TestPki;
import org.medfl.coordinator.testing.LoopbackCoordinator;
import org.medfl.proto.v1.AdminGrpc;
import org.medfl.proto.v1.AuditGrpc;
import org.medfl.proto.v1.FleetGrpc;

/**
 * Every rpc of the Fleet, Admin and Audit services, read from their generated descriptors so that a new rpc is
 * covered the day it is added, called by every kind of caller on one real mutual-TLS coordinator that honours a CRL.
 *
 * <p>Each cell sends the rpc's empty request. A call that passes the access check reaches the service, which answers
 * it (usually NOT_FOUND or INVALID_ARGUMENT for an empty request); a refused call never gets that far.
 */
class AccessMatrixIT {
  /**
   * Who may call what, written down here on purpose rather than read from {@code RoleInterceptor.ALLOWED}: a change
   * to either table has to be made in both. Keys are "Service/Method" of package fl.v1.
   */
  private static final Map<String, Set<Caller>> MAY_CALL = Map.ofEntries(
      Map.entry("Fleet/Join", EnumSet.of(Caller.SITE)),
      Map.entry("Fleet/PollTask", EnumSet.of(Caller.SITE)),
      Map.entry("Fleet/FetchModel", EnumSet.of(Caller.SITE)),
      Map.entry("Fleet/PushUpdate", EnumSet.of(Caller.SITE)),
      Map.entry("Fleet/ReportEvaluation", EnumSet.of(Caller.SITE)),
      Map.entry("Fleet/SecAgg", EnumSet.of(Caller.SITE)),
      Map.entry("Fleet/DeclineTask", EnumSet.of(Caller.SITE)),
      Map.entry("Admin/SubmitJob", EnumSet.of(Caller.ADMIN)),
      Map.entry("Admin/GetJob", EnumSet.of(Caller.ADMIN, Caller.AUDITOR)),
      Map.entry("Admin/ListJobs", EnumSet.of(Caller.ADMIN, Caller.AUDITOR)),
      Map.entry("Admin/AbortJob", EnumSet.of(Caller.ADMIN)),
      Map.entry("Admin/DownloadModel", EnumSet.of(Caller.ADMIN, Caller.AUDITOR)),
      Map.entry("Audit/ReadAuditLog", EnumSet.of(Caller.ADMIN, Caller.AUDITOR)));

  private static final List<ServiceDescriptor> SERVICES = List.of(
      FleetGrpc.getServiceDescriptor(), AdminGrpc.getServiceDescriptor(), AuditGrpc.getServiceDescriptor());

  /** The kinds of caller; the last four are refused whatever they call. */
  enum Caller {
    SITE("site hospital-a"),
    ADMIN("admin alice"),
    AUDITOR("auditor audit"),
    NO_CERTIFICATE("a client without a certificate"),
    OTHER_CA("site hospital-a certified by another CA of the same name"),
    EXPIRED("site hospital-x whose certificate expired"),
    REVOKED("site hospital-r whose certificate is revoked");

    final String description;

    Caller(String description) {
      this.description = description;
    }
  }

  /** How a cell must end. */
  enum Outcome {
    /** Passes the access check: the service answers with a status of its own. */
    REACHES_SERVICE,
    /** TLS refuses the client certificate before any rpc runs: UNAVAILABLE. */
    REFUSED_IN_HANDSHAKE,
    /** A certificate TLS accepted, refused per call because the CRL revokes it: UNAUTHENTICATED naming revocation. */
    REFUSED_AS_REVOKED,
    /** A valid certificate whose role may not call this rpc: PERMISSION_DENIED. */
    REFUSED_FOR_ROLE
  }

  @TempDir static Path state;
  private static final TestPki PKI = TestPki.create("test");
  private static LoopbackCoordinator coordinator;
  private static final Map<Caller, ManagedChannel> CHANNELS = new EnumMap<>(Caller.class);

  @BeforeAll
  static void startCoordinatorAndConnectEveryCaller() throws Exception {
    Identity revoked = PKI.site("hospital-r");
    Path crl = state.resolve("crl.pem");
    PKI.writeRevocationList(crl, 1, revoked);
    coordinator = LoopbackCoordinator.start(PKI, PKI.coordinator(), state.resolve("coordinator"),
        spec -> new float[4], CertificateCheck.withCrl(crl, PKI.caCertificate()));
    CHANNELS.put(Caller.SITE, coordinator.channelFor(PKI.site("hospital-a")));
    CHANNELS.put(Caller.ADMIN, coordinator.channelFor(PKI.admin("alice")));
    CHANNELS.put(Caller.AUDITOR, coordinator.channelFor(PKI.auditor("audit")));
    CHANNELS.put(Caller.NO_CERTIFICATE, NettyChannelBuilder.forAddress("127.0.0.1", coordinator.server().port(),
        TlsChannelCredentials.newBuilder().trustManager(trustOnlyTheCa().getTrustManagers()).build()).build());
    CHANNELS.put(Caller.OTHER_CA, NettyChannelBuilder.forAddress("127.0.0.1", coordinator.server().port(),
        TlsCredentials.client(TestPki.create("test").site("hospital-a"), PKI.caCertificate())).build());
    CHANNELS.put(Caller.EXPIRED, coordinator.channelFor(PKI.expiredSite("hospital-x")));
    CHANNELS.put(Caller.REVOKED, coordinator.channelFor(revoked));
  }

  @AfterAll
  static void stop() throws Exception {
    for (Caller caller : List.of(Caller.NO_CERTIFICATE, Caller.OTHER_CA)) {
      CHANNELS.get(caller).shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    coordinator.close();
  }

  @TestFactory
  Stream<DynamicTest> everyRpcAgainstEveryCaller() {
    List<DynamicTest> cells = new ArrayList<>();
    for (ServiceDescriptor service : SERVICES) {
      for (MethodDescriptor<?, ?> method : service.getMethods()) {
        String rpc = shortName(method);
        for (Caller caller : Caller.values()) {
          cells.add(DynamicTest.dynamicTest(rpc + " by " + caller.description, () -> {
            Set<Caller> allowed = MAY_CALL.get(rpc);
            if (allowed == null) {
              fail(rpc + " has no row in AccessMatrixIT.MAY_CALL; add one saying who may call it");
            }
            assertCell(rpc, caller, expected(allowed, caller), call(CHANNELS.get(caller), method));
          }));
        }
      }
    }
    return cells.stream();
  }

  @Test
  void tableHasARowForEveryRpcAndNoOther() {
    // given
    Set<String> rpcs = new TreeSet<>();
    SERVICES.forEach(service -> service.getMethods().forEach(method -> rpcs.add(shortName(method))));

    // when
    Set<String> rows = new TreeSet<>(MAY_CALL.keySet());

    // then
    assertEquals(rpcs, rows, "AccessMatrixIT.MAY_CALL must name exactly the rpcs of the services");
  }

  private static Outcome expected(Set<Caller> allowed, Caller caller) {
    return switch (caller) {
      case SITE, ADMIN, AUDITOR -> allowed.contains(caller) ? Outcome.REACHES_SERVICE : Outcome.REFUSED_FOR_ROLE;
      case NO_CERTIFICATE, OTHER_CA, EXPIRED -> Outcome.REFUSED_IN_HANDSHAKE;
      case REVOKED -> Outcome.REFUSED_AS_REVOKED;
    };
  }

  private static void assertCell(String rpc, Caller caller, Outcome expected, Status status) {
    String cell = rpc + " by " + caller.description + ": expected " + expected + ", got " + status;
    Status.Code code = status.getCode();
    String description = String.valueOf(status.getDescription());
    switch (expected) {
      case REACHES_SERVICE -> assertTrue(code != Status.Code.UNAUTHENTICATED && code != Status.Code.PERMISSION_DENIED
          && code != Status.Code.UNAVAILABLE && code != Status.Code.DEADLINE_EXCEEDED, cell);
      case REFUSED_IN_HANDSHAKE -> assertEquals(Status.Code.UNAVAILABLE, code, cell);
      case REFUSED_AS_REVOKED -> {
        assertEquals(Status.Code.UNAUTHENTICATED, code, cell);
        assertTrue(description.contains("revoked"), cell);
      }
      case REFUSED_FOR_ROLE -> {
        assertEquals(Status.Code.PERMISSION_DENIED, code, cell);
        assertTrue(description.contains("needs one of"), cell);
      }
    }
  }

  /** Sends the rpc's empty request, whatever its kind (unary or streaming), and returns how the call closed. */
  @SuppressWarnings("unchecked")
  private static Status call(Channel channel, MethodDescriptor<?, ?> method) throws Exception {
    MethodDescriptor<Object, Object> typed = (MethodDescriptor<Object, Object>) method;
    Object empty = ((MethodDescriptor.PrototypeMarshaller<Object>) typed.getRequestMarshaller()).getMessagePrototype();
    ClientCall<Object, Object> call = channel.newCall(typed,
        CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS));
    CompletableFuture<Status> closed = new CompletableFuture<>();
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onClose(Status status, Metadata trailers) {
        closed.complete(status);
      }
    }, new Metadata());
    call.request(Integer.MAX_VALUE);
    call.sendMessage(empty);
    call.halfClose();
    return closed.get(60, TimeUnit.SECONDS);
  }

  /** "Fleet/Join" for "fl.v1.Fleet/Join". */
  private static String shortName(MethodDescriptor<?, ?> method) {
    String full = method.getFullMethodName();
    return full.substring(full.lastIndexOf('.', full.indexOf('/')) + 1);
  }

  private static TrustManagerFactory trustOnlyTheCa() throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    store.setCertificateEntry("ca", PKI.caCertificate());
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    return factory;
  }
}
