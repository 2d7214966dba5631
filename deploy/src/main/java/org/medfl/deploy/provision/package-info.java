/** Provisioning a consortium: its CA and one signed startup kit per participant, written without half-finished kits. */
package org.medfl.deploy.provision;
