package org.medfl.common.secagg;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The server's side of one secure aggregation round (Bonawitz et al., "Practical Secure Aggregation for
 * Privacy-Preserving Machine Learning", CCS 2017): it collects and routes the sites' messages, sums the masked inputs
 * as they arrive, and removes the masks with the shares of at least T survivors.
 *
 * <p>Stages close when the caller says so ({@code close*}, {@link #finish()}), typically at a deadline or when every
 * expected site has answered; each closes with whoever answered, and throws {@link SecAggAbort} if fewer than T did.
 * After an abort every method throws it again. All methods are thread-safe.
 *
 * <p>What the server learns: the sets U0 ⊇ U1 ⊇ U2 ⊇ U3 of sites that answered each stage, the sum over U2 of the
 * clipped, weighted, quantized updates and the sum of their weights. Masked inputs are uniform mod 2^32; the pairwise
 * mask of two survivors cancels in the sum and is never reconstructed; an honest site gives out, for each peer, the
 * share of its self-mask seed b or of its masking key s but never both, so fewer than T colluding sites plus the
 * server cannot strip both masks off any single input (Section 6 of the paper, honest-but-curious setting).
 * Memory is O(L) for a vector of length L whatever the number of sites: inputs are added into one running sum and
 * dropped.
 */
public final class SecAggServer {
  private final String jobId;
  private final int round;
  private final Set<String> selected;
  private final SecAggParameters params;
  private final int vectorLength;

  private SecAggStage stage = SecAggStage.ADVERTISE_KEYS;
  private SecAggAbort aborted;
  private AggregateResult result;

  private final Map<String, AdvertiseKeys> advertisements = new TreeMap<>();
  private List<AdvertiseKeys> closedAdvertisements;
  private final Map<String, EncryptedShares> shares = new TreeMap<>();
  private Set<String> u1;
  /** The running sum of masked inputs: L coordinates and the weight. */
  private final int[] sum;
  private final Set<String> u2 = new TreeSet<>();
  private List<String> survivors;
  private List<String> dropped;
  private final Map<String, UnmaskResponse> responses = new TreeMap<>();

  /**
   * @param jobId the job
   * @param round the round
   * @param selectedSites the sites chosen for the round; at most {@link SecAggParameters#sites()}, at least T
   * @param params the round's parameters, identical at every site
   * @param vectorLength L, the number of update coordinates every site sends (the masked vector has L + 1 words)
   */
  public SecAggServer(String jobId, int round, List<String> selectedSites, SecAggParameters params, int vectorLength) {
    this.jobId = Objects.requireNonNull(jobId, "jobId");
    this.round = round;
    this.selected = new LinkedHashSet<>(selectedSites);
    this.params = Objects.requireNonNull(params, "params");
    if (selected.size() != selectedSites.size()) {
      throw new IllegalArgumentException("a site is selected twice: " + selectedSites);
    }
    if (selected.size() > params.sites() || selected.size() < params.threshold()) {
      throw new IllegalArgumentException(selected.size() + " sites selected, but the parameters allow "
          + params.threshold() + " to " + params.sites());
    }
    if (vectorLength < 0 || vectorLength == Integer.MAX_VALUE) {
      throw new IllegalArgumentException("vectorLength out of range: " + vectorLength);
    }
    this.vectorLength = vectorLength;
    this.sum = new int[vectorLength + 1];
  }

  /** The stage now open, or the last one if the round has finished. */
  public synchronized SecAggStage stage() {
    return stage;
  }

  /**
   * Stage 0: records a site's advertisement. Signatures are checked by the sites, which hold the certificates.
   *
   * @throws SecAggException if the site was not selected, already advertised, or the message is for another round
   */
  public synchronized void acceptAdvertisement(AdvertiseKeys advertisement) {
    open(SecAggStage.ADVERTISE_KEYS);
    String site = advertisement.site();
    checkRound(advertisement.jobId(), advertisement.round(), site);
    if (!selected.contains(site)) {
      throw new SecAggException(site + " was not selected for job " + jobId + " round " + round);
    }
    if (advertisements.putIfAbsent(site, advertisement) != null) {
      throw new SecAggException(site + " has already advertised keys");
    }
  }

  /** Closes stage 0 with the sites that advertised (U0) and returns what every one of them must receive. */
  public synchronized List<AdvertiseKeys> closeAdvertise() {
    open(SecAggStage.ADVERTISE_KEYS);
    require(SecAggStage.ADVERTISE_KEYS, advertisements.size());
    closedAdvertisements = List.copyOf(advertisements.values());
    stage = SecAggStage.SHARE_KEYS;
    return closedAdvertisements;
  }

  /** The advertisements of U0, in name order, once stage 0 has closed. */
  public synchronized List<AdvertiseKeys> advertisements() {
    if (closedAdvertisements == null) {
      throw new IllegalStateException("stage " + SecAggStage.ADVERTISE_KEYS.label() + " has not closed");
    }
    return closedAdvertisements;
  }

  /**
   * Stage 1: records a site's encrypted shares.
   *
   * @throws SecAggException if the sender is not in U0, already sent, or did not address exactly one envelope to
   *     every other site of U0
   */
  public synchronized void acceptShares(EncryptedShares message) {
    open(SecAggStage.SHARE_KEYS);
    String from = message.from();
    checkRound(message.jobId(), message.round(), from);
    if (!advertisements.containsKey(from)) {
      throw new SecAggException(from + " sent shares but did not advertise keys");
    }
    if (shares.containsKey(from)) {
      throw new SecAggException(from + " has already sent its shares");
    }
    Set<String> recipients = new TreeSet<>();
    for (EncryptedShareFor envelope : message.shares()) {
      if (!from.equals(envelope.from()) || !recipients.add(envelope.to())) {
        throw new SecAggException("the shares of " + from + " contain a misaddressed or duplicated envelope");
      }
    }
    Set<String> expected = new TreeSet<>(advertisements.keySet());
    expected.remove(from);
    if (!recipients.equals(expected)) {
      throw new SecAggException("the shares of " + from + " are addressed to " + recipients + ", not to " + expected);
    }
    shares.put(from, message);
  }

  /** Closes stage 1 with the sites that sent shares (U1). */
  public synchronized void closeShares() {
    open(SecAggStage.SHARE_KEYS);
    require(SecAggStage.SHARE_KEYS, shares.size());
    u1 = Set.copyOf(shares.keySet());
    stage = SecAggStage.MASKED_INPUT;
  }

  /** The envelopes addressed to {@code site} by the sites of U1 (other than itself), once stage 1 has closed. */
  public synchronized List<EncryptedShareFor> sharesFor(String site) {
    if (u1 == null) {
      throw new IllegalStateException("stage " + SecAggStage.SHARE_KEYS.label() + " has not closed");
    }
    if (!u1.contains(site)) {
      throw new SecAggException(site + " sent no shares, so it takes no further part in the round");
    }
    List<EncryptedShareFor> forSite = new ArrayList<>();
    for (EncryptedShares message : shares.values()) {
      for (EncryptedShareFor envelope : message.shares()) {
        if (envelope.to().equals(site)) {
          forSite.add(envelope);
        }
      }
    }
    return forSite;
  }

  /**
   * Stage 2: adds a site's masked input into the running sum mod 2^32 and forgets it.
   *
   * @throws SecAggException if the site is not in U1, already sent, or the vector does not have L + 1 words
   */
  public synchronized void acceptMaskedInput(MaskedVector input) {
    open(SecAggStage.MASKED_INPUT);
    String site = input.site();
    checkRound(input.jobId(), input.round(), site);
    if (!u1.contains(site)) {
      throw new SecAggException(site + " sent a masked input but no shares");
    }
    if (input.values().length != sum.length) {
      throw new SecAggException("the masked input of " + site + " has " + input.values().length + " words, not "
          + sum.length);
    }
    if (!u2.add(site)) {
      throw new SecAggException(site + " has already sent its masked input");
    }
    int[] values = input.values();
    for (int j = 0; j < sum.length; j++) {
      sum[j] += values[j];
    }
  }

  /** Closes stage 2 with the sites whose masked inputs arrived (U2). */
  public synchronized void closeMaskedInputs() {
    open(SecAggStage.MASKED_INPUT);
    require(SecAggStage.MASKED_INPUT, u2.size());
    survivors = List.copyOf(u2);
    Set<String> gone = new TreeSet<>(u1);
    gone.removeAll(u2);
    dropped = List.copyOf(gone);
    stage = SecAggStage.UNMASKING;
  }

  /** The unmasking request for a survivor: the same lists U2 and U1 \ U2 for every survivor. */
  public synchronized UnmaskRequest unmaskRequestFor(String site) {
    open(SecAggStage.UNMASKING);
    if (!u2.contains(site)) {
      throw new SecAggException(site + " sent no masked input, so it is not asked to unmask");
    }
    return new UnmaskRequest(jobId, round, survivors, dropped);
  }

  /**
   * Stage 3: records a survivor's shares.
   *
   * @throws SecAggException if the site is not a survivor, already answered, its share index is not its own, or it
   *     did not return exactly the b-shares of the survivors and the s-shares of the dropped sites
   */
  public synchronized void acceptUnmaskResponse(UnmaskResponse response) {
    open(SecAggStage.UNMASKING);
    String site = response.site();
    checkRound(response.jobId(), response.round(), site);
    if (!u2.contains(site)) {
      throw new SecAggException(site + " answered the unmasking but sent no masked input");
    }
    if (response.shareIndex() != shareIndex(site)) {
      throw new SecAggException(site + " answered with share index " + response.shareIndex() + ", not its own "
          + shareIndex(site));
    }
    if (!response.selfMaskShares().keySet().equals(new TreeSet<>(survivors))
        || !response.maskingKeyShares().keySet().equals(new TreeSet<>(dropped))) {
      throw new SecAggException(site + " did not return exactly the shares it was asked for");
    }
    if (responses.putIfAbsent(site, response) != null) {
      throw new SecAggException(site + " has already answered the unmasking");
    }
  }

  /**
   * Closes stage 3: reconstructs each survivor's b and each dropped site's s from the responses, removes the self
   * masks of the survivors and the pairwise masks between survivors and dropped sites, and dequantizes the sum.
   *
   * @throws SecAggAbort if fewer than T survivors answered
   * @throws SecAggException if a reconstructed secret does not match its commitment or public key (a bad share)
   */
  public synchronized AggregateResult finish() {
    if (result != null) {
      return result;
    }
    open(SecAggStage.UNMASKING);
    require(SecAggStage.UNMASKING, responses.size());
    int n = advertisements.size();
    for (String survivor : survivors) {
      byte[] b = reconstruct(survivor, true, n);
      if (!Arrays.equals(MaskSeeds.commitment(b, jobId, round, survivor), shares.get(survivor).selfMaskCommitment())) {
        throw new SecAggException("the self-mask seed of " + survivor + " rebuilt from the shares does not match its "
            + "commitment: a survivor returned a bad share");
      }
      MaskStream.subtract(sum, MaskSeeds.self(b, jobId, round, survivor));
    }
    for (String gone : dropped) {
      byte[] s = reconstruct(gone, false, n);
      if (!Arrays.equals(X25519Keys.publicOf(s), advertisements.get(gone).sPublicKey())) {
        throw new SecAggException("the masking key of " + gone + " rebuilt from the shares does not match its "
            + "advertised public key: a survivor returned a bad share");
      }
      for (String survivor : survivors) {
        byte[] seed = MaskSeeds.pair(s, advertisements.get(survivor).sPublicKey(), jobId, round, gone, survivor);
        // The survivor added the mask if it sorts first, so remove it the opposite way.
        MaskStream.apply(sum, seed, !MaskSeeds.adds(survivor, gone));
      }
    }
    result = new AggregateResult(Quantizer.weightedSum(sum, params), Quantizer.totalWeight(sum), survivors);
    return result;
  }

  private byte[] reconstruct(String owner, boolean selfMask, int n) {
    Map<Integer, byte[]> points = new HashMap<>();
    for (UnmaskResponse response : responses.values()) {
      points.put(response.shareIndex(),
          (selfMask ? response.selfMaskShares() : response.maskingKeyShares()).get(owner));
    }
    try {
      return ShamirShares.join(n, params.threshold(), points);
    } catch (IllegalArgumentException e) {
      throw new SecAggException("the shares of " + owner + " cannot be combined: " + e.getMessage(), e);
    }
  }

  private int shareIndex(String site) {
    int x = 1;
    for (String name : advertisements.keySet()) {
      if (name.equals(site)) {
        return x;
      }
      x++;
    }
    return -1;
  }

  private void open(SecAggStage expected) {
    if (aborted != null) {
      throw aborted;
    }
    if (stage != expected || result != null) {
      throw new IllegalStateException("job " + jobId + " round " + round + " is at stage " + stage.label()
          + (result != null ? " (finished)" : "") + ", not " + expected.label());
    }
  }

  private void require(SecAggStage closing, int remaining) {
    if (remaining < params.threshold()) {
      aborted = new SecAggAbort(closing, remaining, params.threshold());
      // Forget the sum: nothing more can be learned from this round.
      Arrays.fill(sum, 0);
      throw aborted;
    }
  }

  private void checkRound(String messageJob, int messageRound, String site) {
    if (!jobId.equals(messageJob) || round != messageRound) {
      throw new SecAggException("the message of " + site + " is for job " + messageJob + " round " + messageRound
          + ", not job " + jobId + " round " + round);
    }
  }
}
