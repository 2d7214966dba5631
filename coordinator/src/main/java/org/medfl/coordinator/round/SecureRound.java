package org.medfl.coordinator.round;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.medfl.common.secagg.AdvertiseKeys;
import org.medfl.common.secagg.AggregateResult;
import org.medfl.common.secagg.EncryptedShareFor;
import org.medfl.common.secagg.EncryptedShares;
import org.medfl.common.secagg.MaskedVector;
import org.medfl.common.secagg.SecAggException;
import org.medfl.common.secagg.SecAggParameters;
import org.medfl.common.secagg.SecAggServer;
import org.medfl.common.secagg.UnmaskResponse;

/**
 * The coordinator's side of one secure-aggregation round (Bonawitz et al., CCS 2017): which stage it is in, which
 * sites are expected to answer it, and the stage inputs each site is sent. The cryptography is
 * {@link SecAggServer}'s; this class only sequences it for the round driver, under the driver's lock.
 */
public final class SecureRound {
  /** The protocol's stages, in order. */
  public enum Stage { ADVERTISE_KEYS, SHARE_KEYS, MASKED_INPUT, UNMASK }

  final SecAggParameters parameters;
  private final SecAggServer server;
  private final Map<String, String> certificates = new LinkedHashMap<>();
  private Stage stage = Stage.ADVERTISE_KEYS;
  private Set<String> expected;
  private final Set<String> answered = new LinkedHashSet<>();
  private List<byte[]> advertisements = List.of();

  SecureRound(String jobId, int round, List<String> selected, SecAggParameters parameters, int modelLength) {
    this.parameters = parameters;
    this.server = new SecAggServer(jobId, round, selected, parameters, modelLength);
    this.expected = new LinkedHashSet<>(selected);
  }

  Stage stage() {
    return stage;
  }

  /** Sites that must answer the current stage. */
  Set<String> expected() {
    return expected;
  }

  /** A site whose message was refused no longer holds up the stage; the protocol treats it as dropped. */
  void drop(String site) {
    expected.remove(site);
  }

  boolean stageComplete() {
    return answered.containsAll(expected);
  }

  /** What {@code site} is sent for the current stage. */
  List<byte[]> inputsFor(String site) {
    return switch (stage) {
      case ADVERTISE_KEYS -> List.of();
      case SHARE_KEYS -> advertisements;
      case MASKED_INPUT -> server.sharesFor(site).stream().map(EncryptedShareFor::toBytes).toList();
      case UNMASK -> List.of(server.unmaskRequestFor(site).toBytes());
    };
  }

  /** Certificates (PEM) of the sites whose advertisements are sent in SHARE_KEYS. */
  List<String> certificates() {
    return stage == Stage.SHARE_KEYS ? new ArrayList<>(certificates.values()) : List.of();
  }

  /**
   * Takes a small stage message from {@code site}.
   *
   * @throws UpdateRejected when it is not that stage, the site is not expected, or the message is invalid
   */
  void accept(String site, Stage messageStage, byte[] payload, String certificatePem) throws UpdateRejected {
    requireExpected(site, messageStage);
    try {
      switch (messageStage) {
        case ADVERTISE_KEYS -> {
          AdvertiseKeys keys = AdvertiseKeys.fromBytes(payload);
          requireSender(site, keys.site());
          server.acceptAdvertisement(keys);
          certificates.put(site, certificatePem);
        }
        case SHARE_KEYS -> {
          EncryptedShares shares = EncryptedShares.fromBytes(payload);
          requireSender(site, shares.from());
          server.acceptShares(shares);
        }
        case UNMASK -> {
          UnmaskResponse response = UnmaskResponse.fromBytes(payload);
          requireSender(site, response.site());
          server.acceptUnmaskResponse(response);
        }
        case MASKED_INPUT -> throw new UpdateRejected("masked inputs are streamed with PushUpdate");
      }
    } catch (SecAggException e) {
      throw new UpdateRejected("secure aggregation message refused: " + e.getMessage());
    }
    answered.add(site);
  }

  /** Takes a site's masked vector (already length- and digest-checked). */
  void acceptMasked(String site, String jobId, int round, int[] words) throws UpdateRejected {
    requireExpected(site, Stage.MASKED_INPUT);
    try {
      server.acceptMaskedInput(new MaskedVector(jobId, round, site, words));
    } catch (SecAggException e) {
      throw new UpdateRejected("masked input refused: " + e.getMessage());
    }
    answered.add(site);
  }

  /**
   * Closes the current stage with whoever answered and moves on.
   *
   * @throws org.medfl.common.secagg.SecAggAbort when fewer than the threshold remain
   */
  void closeStage() {
    switch (stage) {
      case ADVERTISE_KEYS -> {
        advertisements = server.closeAdvertise().stream().map(AdvertiseKeys::toBytes).toList();
        certificates.keySet().retainAll(answered);
        next(Stage.SHARE_KEYS);
      }
      case SHARE_KEYS -> {
        server.closeShares();
        next(Stage.MASKED_INPUT);
      }
      case MASKED_INPUT -> {
        server.closeMaskedInputs();
        next(Stage.UNMASK);
      }
      case UNMASK -> { }
    }
  }

  /** The unmasked example-weighted sum; call after the UNMASK stage. */
  AggregateResult finish() {
    return server.finish();
  }

  private void next(Stage nextStage) {
    expected = new LinkedHashSet<>(answered);
    answered.clear();
    stage = nextStage;
  }

  private void requireExpected(String site, Stage messageStage) throws UpdateRejected {
    if (messageStage != stage) {
      throw new UpdateRejected("secure aggregation is at " + stage + ", not " + messageStage);
    }
    if (!expected.contains(site)) {
      throw new UpdateRejected("site " + site + " is not part of this stage of secure aggregation");
    }
    if (answered.contains(site)) {
      throw new UpdateRejected("site " + site + " already answered " + stage);
    }
  }

  private static void requireSender(String site, String claimed) throws UpdateRejected {
    if (!site.equals(claimed)) {
      throw new UpdateRejected("site " + site + " sent a message signed as " + claimed);
    }
  }
}
