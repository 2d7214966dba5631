/**
 * Provisioning a consortium and its certificates' lifecycle: the CA and one signed startup kit per participant,
 * written without half-finished kits; then signing requests of new or rotating participants, and revocation.
 */
package org.medfl.deploy.provision;
