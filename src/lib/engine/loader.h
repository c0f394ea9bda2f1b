/* loader.h - a loaded task (internal) */
#ifndef PT_MODULE_H
#define PT_MODULE_H

#include "proftune.h"

struct pt_module {
	void *handle;               /* dlopen handle, NULL for in-process tasks */
	char *path;                 /* resolved path or label, owned */
	const struct pt_task *task; /* borrowed from the object or the caller */
};

#endif
