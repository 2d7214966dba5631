/**
 * Differential-privacy math shared by the coordinator and the sites: L2 clipping, Gaussian noise and the Renyi-DP
 * accountant of the Sampled Gaussian Mechanism.
 */
package org.medfl.common.privacy;
