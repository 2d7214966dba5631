package org.medfl.coordinator.boundary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.common.testing.TestPki;
import org.medfl.coordinator.CoordinatorServer;
import org.medfl.coordinator.testing.LoopbackCoordinator;
import org.medfl.coordinator.testing.RawCall;
import org.medfl.proto.v1.AdminGrpc;
import org.medfl.proto.v1.FleetGrpc;
import org.medfl.proto.v1.GetJobRequest;
import org.medfl.proto.v1.JoinRequest;

/** What a caller's bytes can earn it before any service reads them, on a real loopback server with mutual TLS. */
class HostileInputGuardIT {
  private final TestPki pki = TestPki.create("test");
  private LoopbackCoordinator coordinator;

  @BeforeEach
  void start(@TempDir Path state) throws Exception {
    coordinator = LoopbackCoordinator.start(pki, pki.coordinator(), state, spec -> new float[] {1f, 2f, 3f});
  }

  @AfterEach
  void stop() throws Exception {
    coordinator.close();
  }

  @Test
  void requestThatDoesNotParseIsRefusedWithInvalidArgument() throws Exception {
    // given: field 1 with wire type 7, which protobuf does not have
    byte[] garbage = {0x0F, 0x01, 0x02};
    // when
    RawCall.Outcome outcome = RawCall.call(coordinator.channelFor(pki.site("a")), FleetGrpc.getJoinMethod(),
        List.of(garbage), 10_000);
    // then
    assertEquals(Status.Code.INVALID_ARGUMENT, outcome.status().getCode());
    assertTrue(outcome.status().getDescription().startsWith("request is not a valid fl.v1.Fleet/Join message"),
        outcome.status().getDescription());
  }

  @Test
  void descriptionQuotingHugeInputIsCutToFitTheTrailers() throws Exception {
    // given: a job id of 200,000 characters, which the NOT_FOUND answer quotes
    String id = "j".repeat(200_000);
    // when
    RawCall.Outcome outcome = RawCall.call(coordinator.channelFor(pki.admin("alice")), AdminGrpc.getGetJobMethod(),
        List.of(GetJobRequest.newBuilder().setJobId(id).build().toByteArray()), 10_000);
    // then: the refusal itself arrives, not an INTERNAL error about oversized HTTP/2 headers
    assertEquals(Status.Code.NOT_FOUND, outcome.status().getCode());
    assertTrue(outcome.status().getDescription().length() <= HostileInputGuard.MAX_DESCRIPTION_CHARS,
        "description of " + outcome.status().getDescription().length() + " characters");
    assertTrue(outcome.status().getDescription().endsWith("…"));
  }

  @Test
  void messageAboveTheInboundLimitIsRefusedWithResourceExhausted() throws Exception {
    // given
    byte[] huge = JoinRequest.newBuilder().setRuntime("r".repeat(CoordinatorServer.MAX_INBOUND_MESSAGE_BYTES))
        .build().toByteArray();
    // when
    RawCall.Outcome outcome = RawCall.call(coordinator.channelFor(pki.site("a")), FleetGrpc.getJoinMethod(),
        List.of(huge), 30_000);
    // then
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, outcome.status().getCode());
    assertTrue(outcome.status().getDescription().contains("exceeds maximum size"),
        outcome.status().getDescription());
  }

  @Test
  void compressedMessageThatInflatesAboveTheLimitIsRefused() throws Exception {
    // given: 8 MiB of one letter, a few kilobytes once gzipped
    byte[] bomb = JoinRequest.newBuilder().setRuntime("r".repeat(2 * CoordinatorServer.MAX_INBOUND_MESSAGE_BYTES))
        .build().toByteArray();
    // when
    RawCall.Outcome outcome = RawCall.call(coordinator.channelFor(pki.site("a")), FleetGrpc.getJoinMethod(),
        List.of(bomb), 30_000, CallOptions.DEFAULT.withCompression("gzip"));
    // then: the limit holds for the inflated size
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, outcome.status().getCode());
    assertTrue(outcome.status().getDescription().contains("exceeds maximum size"),
        outcome.status().getDescription());
  }
}
