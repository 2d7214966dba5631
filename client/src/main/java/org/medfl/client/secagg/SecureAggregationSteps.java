package org.medfl.client.secagg;

import com.google.protobuf.ByteString;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.medfl.client.connect.CoordinatorClient;
import org.medfl.common.job.SecureAggregationSpec;
import org.medfl.common.pki.ConsortiumCa;
import org.medfl.common.pki.Identity;
import org.medfl.common.pki.Peer;
import org.medfl.common.pki.Pem;
import org.medfl.common.pki.Role;
import org.medfl.common.secagg.AdvertiseKeys;
import org.medfl.common.secagg.EncryptedShareFor;
import org.medfl.common.secagg.MaskedVector;
import org.medfl.common.secagg.SecAggParameters;
import org.medfl.common.secagg.SecAggSite;
import org.medfl.common.secagg.UnmaskRequest;
import org.medfl.proto.v1.SecAggMessage;
import org.medfl.proto.v1.SecAggStage;
import org.medfl.proto.v1.SecAggTask;
import org.medfl.proto.v1.Task;

/**
 * Takes the steps of secure aggregation (Bonawitz et al., CCS 2017) for this site, one task at a time: advertise keys,
 * share key shares with the peers it has verified, mask its update, reveal unmasking shares. The protocol state of a
 * round lives here between tasks; a site restarted mid-round has lost it and simply drops out of that round, which the
 * protocol tolerates as long as enough others remain.
 */
public final class SecureAggregationSteps {
  private final Identity identity;
  private final X509Certificate consortiumCa;
  private final CoordinatorClient client;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, SecAggSite> sessions = new HashMap<>();

  /**
   * @param consortiumCa peers' certificates must have been issued by it, to the site role
   */
  public SecureAggregationSteps(Identity identity, X509Certificate consortiumCa, CoordinatorClient client) {
    this.identity = identity;
    this.consortiumCa = consortiumCa;
    this.client = client;
  }

  /** Answers a key or unmasking stage (everything but MASKED_INPUT) by sending its message to the coordinator. */
  public void answer(Task task) {
    SecAggTask step = task.getSecureAggregation();
    String key = key(task);
    byte[] payload = switch (step.getStage()) {
      case ADVERTISE_KEYS -> {
        sessions.keySet().removeIf(k -> k.startsWith(task.getJobId() + "#"));
        SecAggParameters parameters = SecAggParameters.of(new SecureAggregationSpec(step.getThreshold()),
            step.getSites(), step.getClip(), step.getMaxWeight());
        SecAggSite site = new SecAggSite(task.getJobId(), task.getRound(), identity, parameters, random);
        sessions.put(key, site);
        yield site.advertise().toBytes();
      }
      case SHARE_KEYS -> {
        List<AdvertiseKeys> advertisements = new ArrayList<>();
        step.getItemsList().forEach(item -> advertisements.add(AdvertiseKeys.fromBytes(item.toByteArray())));
        yield session(key).shareKeys(advertisements, peerKeys(step)).toBytes();
      }
      case UNMASK -> {
        byte[] response = session(key).unmask(UnmaskRequest.fromBytes(step.getItems(0).toByteArray())).toBytes();
        sessions.remove(key);
        yield response;
      }
      default -> throw new IllegalStateException("stage " + step.getStage() + " is not answered with a message");
    };
    client.secAgg(SecAggMessage.newBuilder().setJobId(task.getJobId()).setRound(task.getRound())
        .setStage(step.getStage()).setPayload(ByteString.copyFrom(payload)).build());
  }

  /**
   * The masked form of {@code update}, weighted by {@code examples}, framed as 4-byte words for the update stream.
   *
   * @throws IllegalStateException when this site holds no protocol state for the round (e.g. it restarted)
   */
  public float[] mask(Task task, float[] update, long examples) {
    List<EncryptedShareFor> shares = new ArrayList<>();
    task.getSecureAggregation().getItemsList()
        .forEach(item -> shares.add(EncryptedShareFor.fromBytes(item.toByteArray())));
    MaskedVector masked = session(key(task)).mask(update, examples, shares);
    int[] words = masked.values();
    float[] framed = new float[words.length];
    for (int i = 0; i < words.length; i++) {
      framed[i] = Float.intBitsToFloat(words[i]);
    }
    return framed;
  }

  /**
   * True when this site holds the protocol state a stage after ADVERTISE_KEYS needs; false after a restart in the
   * middle of a round, when the site can only decline the rest of it.
   */
  public boolean takesPart(Task task) {
    return task.getSecureAggregation().getStage() == SecAggStage.ADVERTISE_KEYS || sessions.containsKey(key(task));
  }

  /** True for the stages answered by {@link #answer}. */
  public static boolean isMessageStage(Task task) {
    return task.getKind() == Task.Kind.SECURE_AGGREGATION
        && task.getSecureAggregation().getStage() != SecAggStage.MASKED_INPUT;
  }

  /** Signing keys of the peers whose certificates the consortium CA issued to sites, by site name. */
  private Map<String, PublicKey> peerKeys(SecAggTask step) {
    Map<String, PublicKey> keys = new HashMap<>();
    for (String pem : step.getSiteCertificatesPemList()) {
      X509Certificate certificate = Pem.certificatesFromPem(pem, "a peer's certificate").get(0);
      Peer peer = Peer.of(certificate);
      if (ConsortiumCa.issued(consortiumCa, certificate) && peer.role() == Role.SITE) {
        keys.put(peer.name(), certificate.getPublicKey());
      }
    }
    return keys;
  }

  private SecAggSite session(String key) {
    SecAggSite site = sessions.get(key);
    if (site == null) {
      throw new IllegalStateException("no secure aggregation state for " + key.replace('#', ' ')
          + " (this site restarted or missed the key stage); it sits this round out");
    }
    return site;
  }

  private static String key(Task task) {
    return task.getJobId() + "#" + task.getRound();
  }
}
