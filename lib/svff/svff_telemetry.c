/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /svff/ telemetry commands.  Replies are JSON objects; a failure is an
 * object with "error" (a sentence) and never changes state.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_telemetry.h>
#include <rte_version.h>
#include <rte_pmd_qdma.h>

#include "svff_private.h"

/*
 * DPDK 22.11 telemetry callbacks carry no context pointer, so the one
 * registered instance is reachable only from here.  It is set and cleared
 * by svff_telemetry_register()/unregister() and read by the callbacks.
 */
static struct svff *tel_svff;
/* DPDK offers no way to unregister a command: register them once. */
static bool tel_cmds_registered;

static int
reply_error(struct rte_tel_data *d, const char *msg)
{
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "error", msg);
	return 0;
}

/* Commands that take no parameters refuse any. */
static int
no_params(const char *params, struct rte_tel_data *d)
{
	if (params != NULL && params[0] != '\0') {
		reply_error(d, "this command takes no parameters");
		return -1;
	}
	return 0;
}

static int
tel_version(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	if (no_params(params, d) < 0)
		return 0;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "svff", SVFF_VERSION_STRING);
	rte_tel_data_add_dict_string(d, "dpdk", rte_version());
	return 0;
}

static int
tel_info(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct svff *s = __atomic_load_n(&tel_svff, __ATOMIC_ACQUIRE);
	const struct svff_config *c;

	(void)cmd;
	if (no_params(params, d) < 0)
		return 0;
	if (s == NULL)
		return reply_error(d, "svffd is shutting down");
	c = &s->cfg;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", "svffd");
	rte_tel_data_add_dict_string(d, "version", SVFF_VERSION_STRING);
	rte_tel_data_add_dict_string(d, "state", "running");
	rte_tel_data_add_dict_string(d, "config", c->path[0] ? c->path : "(defaults)");
	rte_tel_data_add_dict_string(d, "card_type", svff_card_type_name(c->card.type));
	if (c->card.type == SVFF_CARD_PCI) {
		rte_tel_data_add_dict_string(d, "card_pci", c->card.pci);
	} else {
		rte_tel_data_add_dict_string(d, "card_socket", c->card.socket);
		rte_tel_data_add_dict_int(d, "card_queues", (int)c->card.queues);
		rte_tel_data_add_dict_int(d, "card_total_vfs", (int)c->card.total_vfs);
		rte_tel_data_add_dict_string(d, "card_personality",
			svff_personality_name(c->card.personality));
	}
	rte_tel_data_add_dict_int(d, "vfs", (int)c->vfs.count);
	rte_tel_data_add_dict_int(d, "vf_queues", (int)c->vfs.queues);
	rte_tel_data_add_dict_u64(d, "uptime_s", svff_uptime_s(s));
	{
		struct rte_pmd_qdma_info info;
		struct rte_pmd_qdma_mbox_stats ms;
		unsigned int n = 0;

		rte_tel_data_add_dict_int(d, "pf_port", s->pf_port);
		if (rte_pmd_qdma_get_info(s->pf_port, &info) == 0) {
			rte_tel_data_add_dict_int(d, "pf_function", info.func_id);
			rte_tel_data_add_dict_int(d, "card_num_queues", (int)info.num_qs);
			rte_tel_data_add_dict_string(d, "card_ip", info.fw_version);
		}
		if (rte_pmd_qdma_sriov_get_numvfs(s->pf_port, &n) == 0)
			rte_tel_data_add_dict_int(d, "numvfs", (int)n);
		if (rte_pmd_qdma_mbox_stats(s->pf_port, &ms) == 0) {
			rte_tel_data_add_dict_u64(d, "mbox_rx", ms.rx);
			rte_tel_data_add_dict_u64(d, "mbox_rejected", ms.rejected);
		}
	}
	return 0;
}

int
svff_telemetry_register(struct svff *s)
{
	static const struct {
		const char *name;
		telemetry_cb fn;
		const char *help;
	} cmds[] = {
		{"/svff/version", tel_version, "svff and DPDK versions. Takes no parameters."},
		{"/svff/info", tel_info, "svffd status: card, VFs, uptime. Takes no parameters."},
	};
	struct svff *expected = NULL;

	if (!__atomic_compare_exchange_n(&tel_svff, &expected, s, false, __ATOMIC_RELEASE,
			__ATOMIC_RELAXED))
		return -EEXIST;
	for (unsigned int i = 0; !tel_cmds_registered && i < RTE_DIM(cmds); i++) {
		int rc = rte_telemetry_register_cmd(cmds[i].name, cmds[i].fn, cmds[i].help);

		if (rc < 0) {
			__atomic_store_n(&tel_svff, NULL, __ATOMIC_RELEASE);
			return rc;
		}
	}
	tel_cmds_registered = true;
	return 0;
}

void
svff_telemetry_unregister(struct svff *s)
{
	struct svff *expected = s;

	__atomic_compare_exchange_n(&tel_svff, &expected, NULL, false, __ATOMIC_RELEASE,
		__ATOMIC_RELAXED);
}
