/* tlcache.h - per-thread caches of shared objects' state; fork lists keep their locks usable (internal) */
#ifndef PT_TLCACHE_H
#define PT_TLCACHE_H

#include <pthread.h>
#include <stdint.h>

/*
 * A shared object (a profiler, a trace) keeps state for each thread that
 * uses it, and each thread finds its state through a small cache in its own
 * thread-local storage, keyed by a 64-bit number the object never shares
 * with another (an epoch or serial that is never reused): a stale entry can
 * never match a newer object, even one at the same address.
 *
 * e[0] is the most recent entry.  The hot path compares its key inline,
 *     if (__builtin_expect(tl.e[0].key == key, 1)) return tl.e[0].val;
 * and only a miss calls pt_tlcache_find(), then creates the state and
 * pt_tlcache_put()s it.  Define the cache with initial-exec TLS, e.g.
 *     static __thread struct pt_tlcache tl __attribute__((tls_model("initial-exec")));
 * so reaching it is one %fs-relative load (the default model for a shared
 * library calls __tls_get_addr on every access); its 120 bytes fit the
 * static TLS surplus glibc keeps for libraries loaded with dlopen.  An
 * all-zero cache is empty: keys are never 0.
 */
#define PT_TLCACHE_ENTRIES 7

struct pt_tlcache_entry {
	uint64_t key;
	void *val;              /* not NULL in a used entry */
};

struct pt_tlcache {
	struct pt_tlcache_entry e[PT_TLCACHE_ENTRIES];
	unsigned next;          /* older entry (1 ..) replaced by the next put */
};

/* The value of KEY among the older entries, which then becomes the most
 * recent (the previous one takes its place); NULL when KEY has none. */
void *pt_tlcache_find(struct pt_tlcache *c, uint64_t key);
/* Make KEY -> VAL the most recent entry; the previous most recent one moves
 * to the older entries, replacing the one put there longest ago. */
void pt_tlcache_put(struct pt_tlcache *c, uint64_t key, void *val);
/* The value of KEY, most recent or older, without reordering; NULL when
 * none. */
void *pt_tlcache_peek(const struct pt_tlcache *c, uint64_t key);
/* Forget the entries of KEY. */
void pt_tlcache_forget(struct pt_tlcache *c, uint64_t key);
/* Forget every entry. */
void pt_tlcache_clear(struct pt_tlcache *c);

/*
 * A fork list: objects whose locks another thread may hold when the process
 * forks.  Before fork() PREPARE locks each member (in the order they
 * joined), after it PARENT unlocks them in the parent, and in the child
 * CHILD resets each and CHILD_DONE runs once (e.g. to forget the forking
 * thread's caches, whose state is now the parent's): the child inherits no
 * lock held by a thread it does not have.  A member embeds a struct
 * pt_fork_member.  LOCK guards MEMBERS; a module that walks its members
 * holds it.
 */
struct pt_fork_member {
	struct pt_fork_member *next;
};

struct pt_fork_list {
	void (*prepare)(struct pt_fork_member *m);
	void (*parent)(struct pt_fork_member *m);
	void (*child)(struct pt_fork_member *m);
	void (*child_done)(void);          /* may be NULL */
	pthread_mutex_t lock;
	struct pt_fork_member *members;    /* most recent first */
	struct pt_fork_list *next_list;    /* the library's, once a member joined */
	int listed;
};
#define PT_FORK_LIST_INIT(prepare, parent, child, child_done) \
	{ (prepare), (parent), (child), (child_done), PTHREAD_MUTEX_INITIALIZER, NULL, NULL, 0 }

/* Add M to L (the first member installs the fork handlers). */
void pt_fork_list_join(struct pt_fork_list *l, struct pt_fork_member *m);
/* Remove M from L; nothing when it is not a member. */
void pt_fork_list_leave(struct pt_fork_list *l, struct pt_fork_member *m);

#endif
