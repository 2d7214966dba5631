/** Federated optimisation algorithms: which sites train, and how their updates combine into the next global model. */
package org.medfl.coordinator.aggregation;
