/**
 * What a site does to its images between decoding and the network: windowing, resizing and normalisation
 * ({@link org.medfl.client.preprocess.Preprocessor}), random changes to training batches
 * ({@link org.medfl.client.preprocess.Augmenter}) and countering class imbalance
 * ({@link org.medfl.client.preprocess.ClassBalance}), each as the job spec declares.
 */
package org.medfl.client.preprocess;
