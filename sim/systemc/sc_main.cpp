// sc_main.cpp - the SystemC library refers to sc_main (its own main() would call
// it). spincim has its own main() and starts the kernel from scim_sc_simulate(),
// so this is never called (CMakeLists.txt makes every program that links the
// archive take this member).
extern "C" int sc_main(int, char *[]);

extern "C" int sc_main(int, char *[])
{
    return 0;
}
