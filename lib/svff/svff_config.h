/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * svffd configuration: a JSON file read with jansson and checked against a
 * strict schema (unknown keys, wrong types and out-of-range values are
 * errors that name the file and the key; syntax errors name line and
 * column). A failed load leaves the output untouched.
 */
#ifndef SVFF_CONFIG_H
#define SVFF_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Longest path or name kept from a config file. */
#define SVFF_CONFIG_STR_MAX 256
/** Most EAL arguments a config file may add. */
#define SVFF_CONFIG_EAL_MAX 32

/** Where the QDMA card is. */
enum svff_card_type {
	SVFF_CARD_EMULATED = 0, /**< the embedded card model (lib/qdma_sim) */
	SVFF_CARD_SOCKET,       /**< a card model in another process (qdma-simd) */
	SVFF_CARD_PCI,          /**< a real card bound to vfio-pci */
};

/** User logic loaded on the emulated card. */
enum svff_personality {
	SVFF_PERSONALITY_LOOPBACK = 0,
	SVFF_PERSONALITY_GENERATOR,
	SVFF_PERSONALITY_SINK,
};

/** The whole configuration of one svffd instance. */
struct svff_config {
	char path[SVFF_CONFIG_STR_MAX];       /**< file it came from */
	struct {
		enum svff_card_type type;
		char socket[SVFF_CONFIG_STR_MAX]; /**< emulated/socket: slot socket path */
		char pci[SVFF_CONFIG_STR_MAX];    /**< pci: PF address (BDF) */
		uint32_t queues;                  /**< emulated: total queues (1..2048) */
		uint32_t total_vfs;               /**< emulated: SR-IOV TotalVFs (0..252) */
		enum svff_personality personality;
		uint64_t card_mem;                /**< emulated: card memory bytes */
		uint32_t pf_queues;               /**< queues reserved for the PF (0..256) */
	} card;
	struct {
		uint32_t count;  /**< VFs enabled at start (0 = none until 'init') */
		uint32_t queues; /**< default queue quota per VF */
		uint32_t stuck_limit; /**< STUCK reports before a VF is marked failed */
	} vfs;
	struct {
		uint32_t rate;            /**< VF messages/s per VF (0: the PMD's default) */
		uint32_t burst;           /**< token bucket depth (0: the PMD's default) */
		uint32_t send_timeout_ms; /**< unread PF message -> STUCK (0: PMD default) */
		uint32_t pause_timeout_ms; /**< no PAUSE answer -> forced pause (0: 5000 ms) */
	} mailbox;                            /**< the PF's VF-message service (PMD devargs) */
	char state_dir[SVFF_CONFIG_STR_MAX];  /**< journal and state */
	char libvirt_uri[SVFF_CONFIG_STR_MAX]; /**< "" = no libvirt (emulated card) */
	char log_level[16];                   /**< emerg..debug */
	unsigned int nb_eal_args;
	char eal_args[SVFF_CONFIG_EAL_MAX][SVFF_CONFIG_STR_MAX]; /**< extra EAL args */
};

/** Fill @p cfg with the built-in defaults (emulated card, 4 VFs x 8 queues). */
void svff_config_defaults(struct svff_config *cfg);

/**
 * Load and check a config file.  Keys not given keep the defaults.
 *
 * @param path  JSON file.
 * @param cfg   Output; written only on success.
 * @param err   Buffer for a one-line error ("FILE:LINE:COL: ..." for syntax
 *              errors, "FILE: KEY: ..." for schema errors).
 * @param errlen Size of @p err.
 * @return 0 on success, -EINVAL (bad content) or -errno (cannot read).
 */
int svff_config_load(const char *path, struct svff_config *cfg, char *err, size_t errlen);

/** Same as svff_config_load() for a JSON text (@p name is used in errors). */
int svff_config_parse(const char *text, const char *name, struct svff_config *cfg,
		char *err, size_t errlen);

/** Name of a card type / personality, for logs and telemetry. */
const char *svff_card_type_name(enum svff_card_type t);
const char *svff_personality_name(enum svff_personality p);

#ifdef __cplusplus
}
#endif
#endif /* SVFF_CONFIG_H */
