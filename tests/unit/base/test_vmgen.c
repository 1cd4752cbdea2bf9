#include "tests/unit/unit.h"

/* test_vmgen.c - the kernel's VM fork notices (base/vmgen.c): a vmgenid
 * uevent's field, the kernel's reseed line in /dev/kmsg, and what must not
 * count: a process's kmsg line, a near miss, a cut buffer. */

#include "base/vmgen.h"

#define UEV(s) vmgen_uevent(s, sizeof(s) - 1)
#define KMSG(s) vmgen_kmsg(s, sizeof(s) - 1)

Test(vmgen, uevent)
{
	cr_assert(UEV("change@/devices/LNXSYSTM:00/QEMUVGID:00\0ACTION=change\0DEVPATH=/devices/x\0"
		      "SUBSYSTEM=acpi\0NEW_VMGENID=1\0SEQNUM=1234"));
	/* The last field without its NUL. */
	cr_assert(UEV("change@/x\0NEW_VMGENID=1"));
	cr_assert_not(UEV("change@/x\0NEW_VMGENID=0\0"));
	cr_assert_not(UEV("change@/x\0XNEW_VMGENID=1\0"));
	cr_assert_not(UEV("change@/x\0NEW_VMGENID=10\0"));
	cr_assert_not(UEV("add@/module/virtio_net\0ACTION=add\0"));
	/* Cut short: the field is not whole. */
	cr_assert_not(vmgen_uevent("a\0NEW_VMGENID=1", 14));
	cr_assert_not(vmgen_uevent("", 0));
}

Test(vmgen, kmsg)
{
	cr_assert(KMSG("5,1234,56789012,-;random: crng reseeded due to virtual machine fork\n"));
	cr_assert(KMSG("6,9,1,c;random: crng reseeded due to virtual machine fork"));
	/* Continuation lines after the text do not count as the text. */
	cr_assert_not(KMSG("6,9,1,-;random: something else\n SUBSYSTEM=crng reseeded due to virtual machine fork\n"));
	/* Facility 1 (user): a process wrote it. */
	cr_assert_not(KMSG("13,1234,5,-;random: crng reseeded due to virtual machine fork\n"));
	cr_assert_not(KMSG("14,1,1,-;crng reseeded due to virtual machine fork\n"));
	cr_assert_not(KMSG("6,1,1,-;random: crng reseeded due to virtual machine for\n"));
	cr_assert_not(KMSG("6,1,1,-random: crng reseeded due to virtual machine fork\n"), "no ';'");
	cr_assert_not(KMSG(",1,1,-;crng reseeded due to virtual machine fork\n"), "no priority");
	cr_assert_not(KMSG("x6,1,1,-;crng reseeded due to virtual machine fork\n"));
	cr_assert_not(KMSG("999999999,1,1,-;crng reseeded due to virtual machine fork\n"));
	cr_assert_not(vmgen_kmsg("6,1,1,-;crng reseeded due to virtual machine fork", 30), "cut");
	cr_assert_not(vmgen_kmsg("6", 1));
	cr_assert_not(vmgen_kmsg("", 0));
}
