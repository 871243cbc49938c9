/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stand-in for the hypervisor adapter until its implementations land
 * (svffd-hv): the emulated card only (token grants).  Removed at merge.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <rte_errno.h>
#include <rte_pmd_qdma.h>

#include "svff_hv.h"

struct svff_hv {
	enum svff_hv_kind kind;
};

struct svff_hv *
svff_hv_open(enum svff_hv_kind kind, const char *uri, bool persistent, svff_hv_event_cb cb,
		void *cb_arg, char *err, size_t errlen)
{
	struct svff_hv *hv = calloc(1, sizeof(*hv));

	(void)uri; (void)persistent; (void)cb; (void)cb_arg;
	if (hv == NULL)
		snprintf(err, errlen, "out of memory");
	else
		hv->kind = kind;
	return hv;
}

void
svff_hv_close(struct svff_hv *hv)
{
	free(hv);
}

int
svff_hv_attach(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
		struct svff_hv_grant *out, char *err, size_t errlen)
{
	uint64_t token = 0;
	int rc;

	(void)hv; (void)vm;
	while (token == 0)
		if (getrandom(&token, sizeof(token), 0) != sizeof(token))
			return -EIO;
	rc = rte_pmd_qdma_vf_grant(vf->pf_port, vf->vf, token);
	if (rc < 0) {
		snprintf(err, errlen, "the card refused to grant VF %u: %s", vf->vf,
			rte_strerror(-rc));
		return rc;
	}
	out->token = token;
	snprintf(out->devargs, sizeof(out->devargs), "net_qdma%u,card=%s,fn=vf%u,token=0x%016"
		PRIx64, vf->vf, vf->card_socket, vf->vf, token);
	return 0;
}

int
svff_hv_detach(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf, char *err,
		size_t errlen)
{
	int rc = rte_pmd_qdma_vf_revoke(vf->pf_port, vf->vf);

	(void)hv; (void)vm;
	if (rc < 0)
		snprintf(err, errlen, "the card refused to revoke VF %u: %s", vf->vf,
			rte_strerror(-rc));
	return rc;
}

int
svff_hv_vf_present(struct svff_hv *hv, const char *vm, const struct svff_hv_vf *vf,
		bool *present, char *err, size_t errlen)
{
	(void)hv; (void)vm; (void)vf; (void)err; (void)errlen;
	*present = true;
	return 0;
}

int
svff_hv_poll(struct svff_hv *hv)
{
	(void)hv;
	return 0;
}
