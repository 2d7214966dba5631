/**
 * Secure aggregation as a pure, transport-free message protocol: the server learns the weighted sum of the sites'
 * updates and nothing about any single one (Bonawitz, Ivanov, Kreuter, Marcedone, McMahan, Patel, Ramage, Segal,
 * Seth, "Practical Secure Aggregation for Privacy-Preserving Machine Learning", ACM CCS 2017, doi:10.1145/3133956.3133982).
 *
 * <h2>Message flow of one round (N selected sites, threshold T)</h2>
 * <ol>
 *   <li><b>AdvertiseKeys</b>: each {@link org.medfl.common.secagg.SecAggSite} makes two X25519 key pairs, c (to
 *       encrypt shares) and s (to agree on masks), and sends both public keys in an
 *       {@link org.medfl.common.secagg.AdvertiseKeys} signed (SHA256withECDSA) by its certificate key over job, round,
 *       site name and the {@link org.medfl.common.secagg.SecAggParameters}. The
 *       {@link org.medfl.common.secagg.SecAggServer} collects them (U0) and sends the list to every site.</li>
 *   <li><b>ShareKeys</b>: each site checks every signature against the peer's certificate key, draws a self-mask seed
 *       b, splits b and its s private key T-of-|U0| with Shamir's scheme, and seals each peer's pair of shares with
 *       AES-256-GCM under HKDF-SHA256(X25519(c_u, c_v)), with job, round, sender and recipient as associated data.
 *       The server routes the {@link org.medfl.common.secagg.EncryptedShareFor} envelopes (U1 = the senders).</li>
 *   <li><b>MaskedInput</b>: each site sends y_u = x_u + PRG(b_u) + sum over v in U1 of ±PRG(s_uv) mod 2^32, where
 *       x_u is its clipped, weighted, stochastically rounded update followed by its weight, s_uv =
 *       HKDF(X25519(s_u, s_v)) and the site whose name sorts first adds. PRG is AES-256-CTR read as uint32 words.
 *       The server adds the {@link org.medfl.common.secagg.MaskedVector}s into one running sum (U2 = the senders):
 *       pairwise masks between members of U2 cancel.</li>
 *   <li><b>Unmasking</b>: the server sends every survivor the same {@link org.medfl.common.secagg.UnmaskRequest}
 *       (U2, and U1 \ U2). Each returns its share of b for every survivor and of s for every dropped site. With T
 *       responses the server rebuilds each survivor's b (removing its self mask) and each dropped site's s
 *       (removing its pairwise masks with the survivors), and obtains sum over U2 of x_u.</li>
 * </ol>
 * A stage that ends with fewer than T sites aborts the round with {@link org.medfl.common.secagg.SecAggAbort}.
 *
 * <h2>What the server learns</h2>
 * The sum over U2 of the clipped, weighted updates (within the quantization bound of
 * {@link org.medfl.common.secagg.SecAggParameters#quantizationErrorBound()}), the total weight, and which sites
 * answered each stage. Against an honest-but-curious server colluding with fewer than T sites, each input is hidden
 * by at least one mask that the colluders cannot remove: a survivor's self mask needs T shares of its b, and an
 * honest site never releases both its b-share and its s-share of one peer, nor answers two different unmasking
 * requests. Against a server that actively lies, the paper adds a consistency-check round with signatures, which
 * this package leaves out; with T &gt; N/2 a lying server still cannot collect T b-shares and T s-shares of one site
 * from honest sites, because each honest site answers only one unmasking request and 2T &gt; N.
 */
package org.medfl.common.secagg;
