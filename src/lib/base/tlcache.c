/* tlcache.c - per-thread caches of shared objects' state; fork lists keep their locks usable */
#include "config.h"

#include <string.h>

#include "base/tlcache.h"

void *pt_tlcache_find(struct pt_tlcache *c, uint64_t key)
{
	for (unsigned i = 1; i < PT_TLCACHE_ENTRIES; i++) {
		if (c->e[i].key == key && c->e[i].val) {
			struct pt_tlcache_entry hit = c->e[i];

			c->e[i] = c->e[0];
			c->e[0] = hit;
			return hit.val;
		}
	}
	return NULL;
}

void pt_tlcache_put(struct pt_tlcache *c, uint64_t key, void *val)
{
	if (c->e[0].val) {
		c->e[1 + c->next] = c->e[0];
		c->next = (c->next + 1) % (PT_TLCACHE_ENTRIES - 1);
	}
	c->e[0].key = key;
	c->e[0].val = val;
}

void *pt_tlcache_peek(const struct pt_tlcache *c, uint64_t key)
{
	for (unsigned i = 0; i < PT_TLCACHE_ENTRIES; i++)
		if (c->e[i].key == key)
			return c->e[i].val;
	return NULL;
}

void pt_tlcache_forget(struct pt_tlcache *c, uint64_t key)
{
	for (unsigned i = 0; i < PT_TLCACHE_ENTRIES; i++)
		if (c->e[i].key == key)
			memset(&c->e[i], 0, sizeof(c->e[i]));
}

void pt_tlcache_clear(struct pt_tlcache *c)
{
	memset(c, 0, sizeof(*c));
}

/* ---- fork lists ---------------------------------------------------------------- */

static pthread_mutex_t lists_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pt_fork_list *lists;
static pthread_once_t handlers_once = PTHREAD_ONCE_INIT;

static void fork_prepare(void)
{
	pthread_mutex_lock(&lists_lock);
	for (struct pt_fork_list *l = lists; l; l = l->next_list) {
		pthread_mutex_lock(&l->lock);
		for (struct pt_fork_member *m = l->members; m; m = m->next)
			l->prepare(m);
	}
}

static void fork_parent(void)
{
	for (struct pt_fork_list *l = lists; l; l = l->next_list) {
		for (struct pt_fork_member *m = l->members; m; m = m->next)
			l->parent(m);
		pthread_mutex_unlock(&l->lock);
	}
	pthread_mutex_unlock(&lists_lock);
}

static void fork_child(void)
{
	for (struct pt_fork_list *l = lists; l; l = l->next_list) {
		for (struct pt_fork_member *m = l->members; m; m = m->next)
			l->child(m);
		pthread_mutex_unlock(&l->lock);
		if (l->child_done)
			l->child_done();
	}
	pthread_mutex_unlock(&lists_lock);
}

static void install_handlers(void)
{
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}

void pt_fork_list_join(struct pt_fork_list *l, struct pt_fork_member *m)
{
	pthread_once(&handlers_once, install_handlers);
	pthread_mutex_lock(&lists_lock);
	if (!l->listed) {
		l->next_list = lists;
		lists = l;
		l->listed = 1;
	}
	pthread_mutex_unlock(&lists_lock);
	pthread_mutex_lock(&l->lock);
	m->next = l->members;
	l->members = m;
	pthread_mutex_unlock(&l->lock);
}

void pt_fork_list_leave(struct pt_fork_list *l, struct pt_fork_member *m)
{
	pthread_mutex_lock(&l->lock);
	for (struct pt_fork_member **pm = &l->members; *pm; pm = &(*pm)->next) {
		if (*pm == m) {
			*pm = m->next;
			break;
		}
	}
	pthread_mutex_unlock(&l->lock);
}
