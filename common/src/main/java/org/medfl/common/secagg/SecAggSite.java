package org.medfl.common.secagg;

import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import org.medfl.common.crypto.Signatures;
import org.medfl.common.pki.Identity;

/**
 * One site's side of one secure aggregation round (Bonawitz et al., "Practical Secure Aggregation for
 * Privacy-Preserving Machine Learning", CCS 2017, Fig. 4, semi-honest variant with signed key advertisements).
 *
 * <p>Call the four stages once each, in order: {@link #advertise()}, {@link #shareKeys}, {@link #mask} and
 * {@link #unmask}. Each returns the message to send to the server. Make a new instance for every round: the keys and
 * the self-mask seed must never be reused.
 *
 * <p>What the site guarantees: its update leaves only inside a {@link MaskedVector} that is uniformly random to anyone
 * without the masks; it reveals, for each peer, the share of at most one of that peer's two secrets (b if the peer
 * survived, s if it dropped), so that the server can never remove both masks of a site that sent an input; it answers
 * only one unmasking request per round, and only one whose lists partition the sites it masked with into at least T
 * survivors and the rest.
 */
public final class SecAggSite {
  private static final int SEED_BYTES = 32;

  private final String jobId;
  private final int round;
  private final Identity self;
  private final String name;
  private final SecAggParameters params;
  private final SecureRandom random;

  private KeyPair cKeys;
  private KeyPair sKeys;
  private AdvertiseKeys advertised;
  /** U0: the verified advertisements by site name. */
  private Map<String, AdvertiseKeys> advertisers;
  private Map<String, Integer> shareIndex;
  private byte[] selfMaskSeed;
  /** Shares this site holds, by owner: [share of b, share of s]. Includes its own. */
  private final Map<String, byte[][]> held = new TreeMap<>();
  /** U1 as this site saw it: itself and every site whose shares reached it. */
  private Set<String> maskedWith;
  private UnmaskRequest answeredRequest;
  private UnmaskResponse answer;

  /**
   * @param jobId the job, bound into every signature, key and ciphertext of the round
   * @param round the round, bound likewise, so nothing from another round is accepted
   * @param self this site's identity; its certificate key signs the advertisement, its name is the site's name
   * @param params the round's parameters, identical at every site and the server
   * @param random the source of keys, seeds, shares and nonces (and of the stochastic rounding's seed)
   */
  public SecAggSite(String jobId, int round, Identity self, SecAggParameters params, SecureRandom random) {
    this.jobId = Objects.requireNonNull(jobId, "jobId");
    this.round = round;
    this.self = Objects.requireNonNull(self, "self");
    this.name = self.name();
    this.params = Objects.requireNonNull(params, "params");
    this.random = Objects.requireNonNull(random, "random");
  }

  /** This site's name. */
  public String name() {
    return name;
  }

  /** Stage 0: fresh c (encryption) and s (masking) key pairs, with both public keys signed by the certificate key. */
  public synchronized AdvertiseKeys advertise() {
    if (advertised != null) {
      return advertised;
    }
    cKeys = X25519Keys.generate(random);
    sKeys = X25519Keys.generate(random);
    byte[] c = X25519Keys.rawPublic(cKeys.getPublic());
    byte[] s = X25519Keys.rawPublic(sKeys.getPublic());
    byte[] signature = Signatures.sign(self.privateKey(), AdvertiseKeys.signedBytes(jobId, round, name, c, s, params));
    advertised = new AdvertiseKeys(jobId, round, name, c, s, signature);
    return advertised;
  }

  /**
   * Stage 1: verifies every advertisement, then Shamir-shares a fresh self-mask seed b and the masking private key s
   * (T-of-|all|) and seals each peer's pair of shares to that peer.
   *
   * @param all the advertisements the server collected, this site's own included
   * @param peerSigningKeys site name to the public key of its certificate, from the consortium's PKI
   * @throws SecAggException if an advertisement is for another job or round, is duplicated, has no known signing key
   *     or a bad signature, reuses a key, or this site's own advertisement is missing or changed
   * @throws SecAggAbort if fewer than T sites advertised
   */
  public synchronized EncryptedShares shareKeys(List<AdvertiseKeys> all, Map<String, PublicKey> peerSigningKeys) {
    if (advertised == null) {
      throw new SecAggException(name + " was asked to share keys before it advertised any");
    }
    if (advertisers != null) {
      throw new SecAggException(name + " has already shared its keys for job " + jobId + " round " + round);
    }
    Map<String, AdvertiseKeys> verified = verify(all, peerSigningKeys);
    if (verified.size() < params.threshold()) {
      throw new SecAggAbort(SecAggStage.ADVERTISE_KEYS, verified.size(), params.threshold());
    }
    advertisers = verified;
    shareIndex = new TreeMap<>();
    int x = 1;
    for (String site : verified.keySet()) {
      shareIndex.put(site, x++);
    }

    selfMaskSeed = new byte[SEED_BYTES];
    random.nextBytes(selfMaskSeed);
    int n = verified.size();
    Map<Integer, byte[]> bShares = ShamirShares.split(random, n, params.threshold(), selfMaskSeed);
    Map<Integer, byte[]> sShares =
        ShamirShares.split(random, n, params.threshold(), X25519Keys.rawPrivate(sKeys.getPrivate()));

    byte[] cPrivate = X25519Keys.rawPrivate(cKeys.getPrivate());
    List<EncryptedShareFor> sealed = new ArrayList<>(n - 1);
    for (AdvertiseKeys peer : verified.values()) {
      int index = shareIndex.get(peer.site());
      if (peer.site().equals(name)) {
        held.put(name, new byte[][] {bShares.get(index), sShares.get(index)});
        continue;
      }
      byte[] key = ShareCipher.pairKey(cPrivate, peer.cPublicKey(), jobId, round, name, peer.site());
      byte[] plaintext = sharePlaintext(name, peer.site(), index, bShares.get(index), sShares.get(index));
      sealed.add(new EncryptedShareFor(name, peer.site(),
          ShareCipher.seal(key, plaintext, jobId, round, name, peer.site(), random)));
    }
    return new EncryptedShares(jobId, round, name, MaskSeeds.commitment(selfMaskSeed, jobId, round, name), sealed);
  }

  /**
   * Stage 2: opens the shares addressed to this site, then returns {@code SR(w*clip(update)*scale) || w} plus the
   * self mask PRG(b) plus, for every peer v whose shares arrived, +PRG(s_uv) if this site's name sorts before v's
   * and -PRG(s_uv) otherwise, all mod 2^32.
   *
   * @param update the model update (any length L, the same at every site); coordinates must be finite
   * @param weight the site's weight (example count), 0 to {@link SecAggParameters#maxWeight()}
   * @param sharesForMe the envelopes the server routed to this site: U1 is their senders plus this site
   * @throws SecAggException if an envelope is misaddressed, duplicated, from a site that did not advertise, or does
   *     not decrypt (tampered or replayed)
   * @throws SecAggAbort if fewer than T sites (this one included) sent shares
   */
  public synchronized MaskedVector mask(float[] update, long weight, List<EncryptedShareFor> sharesForMe) {
    if (advertisers == null) {
      throw new SecAggException(name + " was asked for its masked input before it shared its keys");
    }
    if (maskedWith != null) {
      throw new SecAggException(name + " has already sent its masked input for job " + jobId + " round " + round);
    }
    if (weight < 0 || weight > params.maxWeight()) {
      throw new IllegalArgumentException("weight must be between 0 and " + params.maxWeight() + ", got " + weight);
    }
    Set<String> u1 = new TreeSet<>();
    u1.add(name);
    Map<String, byte[][]> opened = new TreeMap<>();
    byte[] cPrivate = X25519Keys.rawPrivate(cKeys.getPrivate());
    for (EncryptedShareFor envelope : sharesForMe) {
      String from = envelope.from();
      if (!name.equals(envelope.to())) {
        throw new SecAggException("an envelope for " + envelope.to() + " was delivered to " + name);
      }
      AdvertiseKeys sender = advertisers.get(from);
      if (sender == null || from.equals(name)) {
        throw new SecAggException(name + " received shares from " + from + ", which did not advertise keys");
      }
      if (!u1.add(from)) {
        throw new SecAggException(name + " received two envelopes from " + from);
      }
      byte[] key = ShareCipher.pairKey(cPrivate, sender.cPublicKey(), jobId, round, name, from);
      opened.put(from, readSharePlaintext(ShareCipher.open(key, envelope.ciphertext(), jobId, round, from, name),
          from, name, shareIndex.get(name)));
    }
    if (u1.size() < params.threshold()) {
      throw new SecAggAbort(SecAggStage.SHARE_KEYS, u1.size(), params.threshold());
    }

    int[] masked = Quantizer.quantize(update, weight, params, new SplittableRandom(random.nextLong()));
    MaskStream.add(masked, MaskSeeds.self(selfMaskSeed, jobId, round, name));
    byte[] sPrivate = X25519Keys.rawPrivate(sKeys.getPrivate());
    for (String peer : u1) {
      if (!peer.equals(name)) {
        byte[] seed = MaskSeeds.pair(sPrivate, advertisers.get(peer).sPublicKey(), jobId, round, name, peer);
        MaskStream.apply(masked, seed, MaskSeeds.adds(name, peer));
      }
    }
    held.putAll(opened);
    maskedWith = u1;
    return new MaskedVector(jobId, round, name, masked);
  }

  /**
   * Stage 3: this site's share of b for every survivor and of s for every dropped site.
   *
   * <p>Refuses (with a {@link SecAggException}) unless this site has sent its masked input, the request is for this
   * job and round, names this site as a survivor, lists no site twice and no site in both lists (which would let the
   * server remove both masks of that site and read its input), and its two lists together are exactly the sites
   * this site masked with. Answers once: the same request again gets the same answer, a different one is refused,
   * because answering two different splits would also give away both shares of some site.
   *
   * @throws SecAggAbort if fewer than T survivors are listed
   */
  public synchronized UnmaskResponse unmask(UnmaskRequest request) {
    if (maskedWith == null) {
      throw new SecAggException(name + " refuses to unmask: it has sent no masked input, so it was never told which "
          + "sites took part");
    }
    if (!jobId.equals(request.jobId()) || round != request.round()) {
      throw new SecAggException(name + " refuses to unmask: the request is for job " + request.jobId() + " round "
          + request.round() + ", not job " + jobId + " round " + round);
    }
    if (answeredRequest != null) {
      if (answeredRequest.equals(request)) {
        return answer;
      }
      throw new SecAggException(name + " refuses to unmask: it already answered a different unmask request this round");
    }
    Set<String> survivors = distinct(request.survivors(), "survivors");
    Set<String> dropped = distinct(request.dropped(), "dropped sites");
    for (String site : dropped) {
      if (survivors.contains(site)) {
        throw new SecAggException(name + " refuses to unmask: the request asks for both shares (b and s) of " + site
            + ", which would reveal its input");
      }
    }
    if (!survivors.contains(name)) {
      throw new SecAggException(name + " refuses to unmask: the request does not list it as a survivor");
    }
    Set<String> listed = new TreeSet<>(survivors);
    listed.addAll(dropped);
    if (!listed.equals(maskedWith)) {
      throw new SecAggException(name + " refuses to unmask: the request lists " + listed + " but it masked with "
          + maskedWith);
    }
    if (survivors.size() < params.threshold()) {
      throw new SecAggAbort(SecAggStage.MASKED_INPUT, survivors.size(), params.threshold());
    }
    Map<String, byte[]> bShares = new TreeMap<>();
    for (String site : survivors) {
      bShares.put(site, held.get(site)[0].clone());
    }
    Map<String, byte[]> sShares = new TreeMap<>();
    for (String site : dropped) {
      sShares.put(site, held.get(site)[1].clone());
    }
    answeredRequest = request;
    answer = new UnmaskResponse(jobId, round, name, shareIndex.get(name), new TreeMap<>(bShares),
        new TreeMap<>(sShares));
    return answer;
  }

  private Map<String, AdvertiseKeys> verify(List<AdvertiseKeys> all, Map<String, PublicKey> signingKeys) {
    Map<String, AdvertiseKeys> verified = new TreeMap<>();
    Set<String> keys = new HashSet<>();
    for (AdvertiseKeys ad : all) {
      String site = ad.site();
      if (!jobId.equals(ad.jobId()) || round != ad.round()) {
        throw new SecAggException("the advertisement of " + site + " is for job " + ad.jobId() + " round "
            + ad.round() + ", not job " + jobId + " round " + round);
      }
      if (verified.containsKey(site)) {
        throw new SecAggException("two advertisements for " + site);
      }
      if (site.equals(name)) {
        if (!Arrays.equals(ad.cPublicKey(), advertised.cPublicKey())
            || !Arrays.equals(ad.sPublicKey(), advertised.sPublicKey())) {
          throw new SecAggException("the advertisement under " + name + "'s own name does not carry its keys");
        }
      } else {
        PublicKey signingKey = signingKeys.get(site);
        if (signingKey == null) {
          throw new SecAggException("no certificate key is known for " + site + ", so its advertisement cannot be "
              + "verified");
        }
        byte[] signed = AdvertiseKeys.signedBytes(jobId, round, site, ad.cPublicKey(), ad.sPublicKey(), params);
        if (!Signatures.verify(signingKey, signed, ad.signature())) {
          throw new SecAggException("the advertisement of " + site + " has a bad signature: forged, or signed for "
              + "other secure aggregation parameters");
        }
      }
      // Fig. 4 round 1: all public keys distinct, so no site can reuse (or replay) another's keys.
      if (!keys.add(Arrays.toString(ad.cPublicKey())) || !keys.add(Arrays.toString(ad.sPublicKey()))) {
        throw new SecAggException("the advertisement of " + site + " reuses a public key");
      }
      verified.put(site, ad);
    }
    if (!verified.containsKey(name)) {
      throw new SecAggException("the advertisements do not include " + name + "'s own");
    }
    return verified;
  }

  private Set<String> distinct(List<String> sites, String what) {
    Set<String> set = new TreeSet<>(sites);
    if (set.size() != sites.size()) {
      throw new SecAggException(name + " refuses to unmask: the " + what + " list a site twice");
    }
    return set;
  }

  private static byte[] sharePlaintext(String from, String to, int index, byte[] bShare, byte[] sShare) {
    return new Wire.Writer(0x57).string(from).string(to).int32(index).bytes(bShare).bytes(sShare).toBytes();
  }

  private static byte[][] readSharePlaintext(byte[] plaintext, String from, String to, int index) {
    Wire.Reader in = new Wire.Reader(plaintext, 0x57, "share plaintext");
    boolean matches = from.equals(in.string()) & to.equals(in.string()) & index == in.int32();
    byte[][] shares = {in.bytes(), in.bytes()};
    in.end();
    if (!matches || shares[0].length != SEED_BYTES || shares[1].length != X25519Keys.KEY_BYTES) {
      throw new SecAggException("the shares from " + from + " to " + to + " are not addressed as their envelope");
    }
    return shares;
  }
}
