/**
 * The hospital's privacy rules, which beat any job's: its policy from the kit's local/privacy.yaml, the durable
 * record of the privacy budget it has spent, and the check that refuses a task breaking either.
 */
package org.medfl.client.privacy;
