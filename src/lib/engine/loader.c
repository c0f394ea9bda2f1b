/* loader.c - find, open and validate task shared objects */
#include "config.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/loader.h"
#include "base/util.h"

/* Size of the version-1 struct: older or truncated descriptions are refused. */
#define PT_TASK_V1_SIZE (offsetof(struct pt_task, teardown) + sizeof(void (*)(pt_ctx *)))

const char *pt_task_dir(void)
{
	return PT_TASKDIR;
}

/* The bundled tasks' build directory, when this process runs from the build
 * tree (so `--task spin` works before `make install`), else NULL. */
static const char *build_task_dir(void)
{
#ifdef PT_BUILDDIR
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t len = strlen(PT_BUILDDIR);

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	if (strncmp(exe, PT_BUILDDIR, len) == 0 && exe[len] == '/')
		return PT_BUILDDIR "/examples/.libs";
#endif
	return NULL;
}

char *pt_task_search_dirs(const char *search_path)
{
	const char *build = build_task_dir();
	int has_path = search_path && *search_path;

	return pt_asprintf("%s%s%s%s%s", has_path ? search_path : "", has_path ? ":" : "",
			   build ? build : "", build ? ":" : "", pt_task_dir());
}

static int is_path(const char *spec)
{
	size_t n = strlen(spec);

	return strchr(spec, '/') || (n > 3 && strcmp(spec + n - 3, ".so") == 0);
}

/* Find NAME.so (or libNAME.so) in the directories of DIRS; malloc'd path. */
static char *search_task(const char *name, const char *dirs)
{
	static const char *const prefixes[] = { "", "lib" };
	const char *p = dirs;

	while (*p) {
		size_t len = strcspn(p, ":");

		for (size_t i = 0; len && i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
			char *cand = pt_asprintf("%.*s/%s%s.so", (int)len, p, prefixes[i], name);

			if (cand && access(cand, R_OK) == 0)
				return cand;
			free(cand);
		}
		p += len;
		if (*p == ':')
			p++;
	}
	return NULL;
}

/* Why dlopen refused PATH, in words a user can act on. */
static int explain_dlopen_failure(const char *path, const char *dlmsg)
{
	unsigned char magic[4] = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, magic, sizeof(magic)) : -1;

	if (fd >= 0)
		close(fd);
	if (n == 0)
		return pt_fail(ENOEXEC, "task '%s' is an empty file, not a shared object; "
			       "build it with -shared -fPIC", path);
	if (n < 4 || memcmp(magic, "\177ELF", 4) != 0)
		return pt_fail(ENOEXEC, "task '%s' is not a shared object (no ELF header); "
			       "build it with -shared -fPIC", path);
	return pt_fail(ENOEXEC, "task '%s' cannot be loaded as a shared object: %s",
		       path, dlmsg ? dlmsg : "unknown dlopen error");
}

/* A field of an ELF header or program header U of either class, widened. */
#define ELF_FIELD(u, f) (is64 ? (uint64_t)(u).c64.f : (uint64_t)(u).c32.f)

/* dlopen maps a shared object's segments without checking them against the
 * file's size, and touching a segment past the end of a truncated file
 * raises SIGBUS inside the loader: refuse such files before dlopen. */
static int check_elf_extent(const char *path, off_t size)
{
	unsigned char ident[EI_NIDENT];
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 0, is64;
	union { Elf32_Ehdr c32; Elf64_Ehdr c64; } eh;
	uint64_t phoff, phnum, phentsize;
	size_t ehsize, phsize;

	if (fd < 0)
		return 0; /* dlopen will say why */
	if (pread(fd, ident, sizeof(ident), 0) != (ssize_t)sizeof(ident) ||
	    memcmp(ident, ELFMAG, SELFMAG) != 0)
		goto out; /* not ELF: explained after dlopen fails */
	if (ident[EI_CLASS] != ELFCLASS64 && ident[EI_CLASS] != ELFCLASS32)
		goto out;
	is64 = ident[EI_CLASS] == ELFCLASS64;
	ehsize = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	phsize = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	if (pread(fd, &eh, ehsize, 0) != (ssize_t)ehsize)
		goto truncated;
	phoff = ELF_FIELD(eh, e_phoff);
	phnum = ELF_FIELD(eh, e_phnum);
	phentsize = ELF_FIELD(eh, e_phentsize);
	if (phentsize != phsize || phoff + phnum * phentsize > (uint64_t)size)
		goto truncated;
	for (uint64_t i = 0; i < phnum; i++) {
		union { Elf32_Phdr c32; Elf64_Phdr c64; } ph;

		if (pread(fd, &ph, phsize, (off_t)(phoff + i * phentsize)) != (ssize_t)phsize)
			goto truncated;
		if (ELF_FIELD(ph, p_type) == PT_LOAD &&
		    ELF_FIELD(ph, p_offset) + ELF_FIELD(ph, p_filesz) > (uint64_t)size)
			goto truncated;
	}
	goto out;
truncated:
	ret = pt_fail(ENOEXEC, "task '%s' cannot be loaded as a shared object: it is truncated "
		      "or damaged (its segments extend past its %lld bytes); rebuild it",
		      path, (long long)size);
out:
	close(fd);
	return ret;
}

/* Does the ELF file PATH export SYMBOL in its dynamic symbol table?  Read
 * from the file, so that nothing of it runs: 1 yes, 0 no, -1 when the file
 * has no section headers to tell (the loader then decides). */
static int exports_symbol(const char *path, const char *symbol)
{
	unsigned char ident[EI_NIDENT];
	union { Elf32_Ehdr c32; Elf64_Ehdr c64; } eh;
	union { Elf32_Shdr c32; Elf64_Shdr c64; } sh, link;
	size_t ehsize, shsize, symsize, want = strlen(symbol) + 1;
	uint64_t shoff, shnum;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = -1, is64;
	char name[64];

	if (fd < 0 || want > sizeof(name))
		goto out;
	if (pread(fd, ident, sizeof(ident), 0) != (ssize_t)sizeof(ident) ||
	    memcmp(ident, ELFMAG, SELFMAG) != 0 ||
	    (ident[EI_CLASS] != ELFCLASS64 && ident[EI_CLASS] != ELFCLASS32))
		goto out;
	is64 = ident[EI_CLASS] == ELFCLASS64;
	ehsize = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	shsize = is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	symsize = is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
	if (pread(fd, &eh, ehsize, 0) != (ssize_t)ehsize)
		goto out;
	shoff = ELF_FIELD(eh, e_shoff);
	shnum = ELF_FIELD(eh, e_shnum);
	if (!shoff || !shnum || ELF_FIELD(eh, e_shentsize) != shsize)
		goto out;
	for (uint64_t i = 0; i < shnum; i++) {
		uint64_t off, n, str;

		if (pread(fd, &sh, shsize, (off_t)(shoff + i * shsize)) != (ssize_t)shsize)
			goto out;
		if (ELF_FIELD(sh, sh_type) != SHT_DYNSYM)
			continue;
		if (ELF_FIELD(sh, sh_link) >= shnum ||
		    pread(fd, &link, shsize, (off_t)(shoff + ELF_FIELD(sh, sh_link) * shsize)) !=
			    (ssize_t)shsize)
			goto out;
		off = ELF_FIELD(sh, sh_offset);
		n = ELF_FIELD(sh, sh_size) / symsize;
		str = ELF_FIELD(link, sh_offset);
		ret = 0;
		for (uint64_t k = 1; k < n; k++) {
			union { Elf32_Sym c32; Elf64_Sym c64; } sym;
			uint64_t at;

			if (pread(fd, &sym, symsize, (off_t)(off + k * symsize)) != (ssize_t)symsize) {
				ret = -1;
				goto out;
			}
			at = ELF_FIELD(sym, st_name);
			if (ELF_FIELD(sym, st_shndx) == SHN_UNDEF || at >= ELF_FIELD(link, sh_size))
				continue;
			if (pread(fd, name, want, (off_t)(str + at)) == (ssize_t)want &&
			    memcmp(name, symbol, want) == 0) {
				ret = 1;
				goto out;
			}
		}
		goto out;
	}
out:
	if (fd >= 0)
		close(fd);
	return ret;
}

/* How long loading a task may take in the probe before it is called hung. */
#define LOAD_TIMEOUT_MS 30000

/* Load REAL (the file PATH names) once in a child process first: a task whose constructors crash,
 * hang or end the process takes that child down, not proftune, and is
 * refused with what happened.  0 when it loads and exports its task. */
static int probe_load(const char *real, const char *path)
{
	int fds[2], wstatus = 0, loaded = 0;
	struct pollfd pfd;
	pid_t pid;
	char c;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return 0; /* no probe: the load itself will tell */
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return 0;
	}
	if (pid == 0) {
		void *h;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(fds[0]);
		h = dlopen(real, RTLD_NOW | RTLD_LOCAL);
		if (h && dlsym(h, "proftune_task"))
			pt_write_all(fds[1], "1", 1);
		else if (h)
			pt_write_all(fds[1], "0", 1);
		_exit(0);
	}
	close(fds[1]);
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	while (poll(&pfd, 1, LOAD_TIMEOUT_MS) < 0 && errno == EINTR)
		;
	if (pfd.revents & (POLLIN | POLLHUP)) {
		ssize_t n;

		while ((n = read(fds[0], &c, 1)) < 0 && errno == EINTR)
			;
		loaded = n == 1 ? (c == '1' ? 1 : 2) : 0;
	} else {
		kill(pid, SIGKILL);
		loaded = -1;
	}
	close(fds[0]);
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	if (loaded == -1)
		return pt_fail(ETIMEDOUT, "task '%s' did not finish loading within %d s (a "
			       "constructor hangs); fix its initialisation", path,
			       LOAD_TIMEOUT_MS / 1000);
	if (loaded)
		return 0; /* loaded; a refusal is explained by the real load */
	if (WIFSIGNALED(wstatus))
		return pt_fail(ENOEXEC, "task '%s' crashed while loading: %s in its constructors "
			       "or those of a library it needs; fix or rebuild it", path,
			       strsignal(WTERMSIG(wstatus)));
	if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) != 0)
		return pt_fail(ENOEXEC, "task '%s' ended the process while loading: a constructor "
			       "called exit(%d); a task must not exit", path, WEXITSTATUS(wstatus));
	return 0; /* dlopen refused it: the real load says why */
}

static int check_task(const struct pt_task *t, const char *path)
{
	if (t->abi != PT_ABI_VERSION)
		return pt_fail(EPROTO, "task '%s' has ABI version %u; this proftune supports %u; "
			       "rebuild the task against this proftune.h", path, t->abi,
			       PT_ABI_VERSION);
	if (t->size < PT_TASK_V1_SIZE)
		return pt_fail(EPROTO, "task '%s' declares a struct pt_task of %u bytes, "
			       "smaller than version %u's %zu; rebuild it with PT_TASK(...)",
			       path, t->size, PT_ABI_VERSION, (size_t)PT_TASK_V1_SIZE);
	if (!t->run)
		return pt_fail(EINVAL, "task '%s' has no run callback; set .run in PT_TASK(...)",
			       path);
	return 0;
}

pt_module *pt_module_open(const char *spec, const char *search_path)
{
	pt_module *m = NULL;
	char *path = NULL, *dirs = NULL, *real = NULL;
	struct stat st;
	void *handle;
	int err;

	if (!spec || !*spec) {
		pt_fail(EINVAL, "no task given; use --task PATH.so or a bare name");
		return NULL;
	}
	if (is_path(spec)) {
		path = strdup(spec);
	} else {
		dirs = pt_task_search_dirs(search_path);
		path = dirs ? search_task(spec, dirs) : NULL;
		if (!path) {
			pt_fail(ENOENT, "task '%s' not found in %s; give a path to a .so "
				"or a name listed by 'proftune tasks'", spec, dirs ? dirs : "?");
			goto fail;
		}
	}
	if (!path) {
		pt_fail(ENOMEM, "out of memory");
		goto fail;
	}
	if (stat(path, &st) != 0) {
		err = errno;
		pt_fail(err, "cannot open task '%s': %s", path,
			err == ENOENT ? "no such file" : strerror(err));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		pt_fail(ENOEXEC, "task '%s' is not a regular file", path);
		goto fail;
	}
	if (check_elf_extent(path, st.st_size) < 0)
		goto fail;
	/* load exactly the file checked: dlopen searches LD_LIBRARY_PATH for
	 * a name without a slash, and the document records the real path */
	real = realpath(path, NULL);
	if (!real) {
		pt_fail(errno, "cannot resolve task '%s': %s", path, strerror(errno));
		goto fail;
	}
	if (exports_symbol(real, "proftune_task") == 0) {
		pt_fail(ENOENT, "task '%s' does not export the symbol 'proftune_task'; "
			"define the task with PT_TASK(...)", path);
		goto fail;
	}
	if (probe_load(real, path) < 0)
		goto fail;
	handle = dlopen(real, RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		explain_dlopen_failure(path, dlerror());
		goto fail;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		dlclose(handle);
		pt_fail(ENOMEM, "out of memory");
		goto fail;
	}
	m->handle = handle;
	m->path = real;
	real = NULL;
	m->task = dlsym(handle, "proftune_task");
	if (!m->task) {
		pt_fail(ENOENT, "task '%s' does not export the symbol 'proftune_task'; "
			"define the task with PT_TASK(...)", path);
		goto fail;
	}
	if (check_task(m->task, path) < 0)
		goto fail;
	free(path);
	free(dirs);
	return m;
fail:
	err = errno;
	pt_module_close(m);
	free(real);
	free(path);
	free(dirs);
	errno = err;
	return NULL;
}

pt_module *pt_module_from_task(const struct pt_task *task, const char *label)
{
	pt_module *m;

	if (!task) {
		pt_fail(EINVAL, "no task given");
		return NULL;
	}
	if (check_task(task, label ? label : "(in-process)") < 0)
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m || !(m->path = strdup(label ? label : "(in-process)"))) {
		free(m);
		pt_fail(ENOMEM, "out of memory");
		return NULL;
	}
	m->task = task;
	return m;
}

void pt_module_close(pt_module *m)
{
	if (!m)
		return;
	if (m->handle)
		dlclose(m->handle);
	free(m->path);
	free(m);
}

const struct pt_task *pt_module_task(const pt_module *m)
{
	return m->task;
}

const char *pt_module_path(const pt_module *m)
{
	return m->path;
}
