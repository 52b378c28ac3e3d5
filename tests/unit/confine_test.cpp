// Confinement: one listener per socket directory (the lock), and the stage
// specs a chrooted orouboros-smtpd sees.
#include <gtest/gtest.h>
#include <sysexits.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "auth_temp_dir.hpp"
#include "base/error.hpp"
#include "listener/dir_lock.hpp"
#include "smtpd/confine.hpp"

namespace {

using namespace orou;

TEST(DirLock, WritesOurPidInTheLockFile) {
    test::TempDir dir;
    listener::DirLock lock(dir.path());
    std::ifstream in(dir.file("orouboros.pid"));
    std::string pid;
    in >> pid;
    EXPECT_EQ(pid, std::to_string(::getpid()));
}

TEST(DirLock, ASecondLockOnTheSameDirectoryIsTempfailNamingTheHolder) {
    test::TempDir dir;
    listener::DirLock first(dir.path());
    try {
        listener::DirLock second(dir.path());
        FAIL() << "the second lock was taken";
    } catch (const ExitError& e) {
        EXPECT_EQ(e.status(), EX_TEMPFAIL);
        std::string what = e.what();
        EXPECT_NE(what.find("pid " + std::to_string(::getpid())), std::string::npos) << what;
        EXPECT_NE(what.find(dir.path()), std::string::npos) << what;
    }
}

TEST(DirLock, IsFreeAgainOnceItsHolderIsGone) {
    test::TempDir dir;
    { listener::DirLock first(dir.path()); }
    EXPECT_NO_THROW(listener::DirLock again(dir.path()));
}

TEST(SpecInside, AUnixSocketUnderTheRootIsSeenFromInside) {
    EXPECT_EQ(smtpd::spec_inside("unix:/run/orouboros/deliver.sock", "/run/orouboros"), "unix:/deliver.sock");
}

TEST(SpecInside, TcpAndLmtpAddressesAreUnchanged) {
    EXPECT_EQ(smtpd::spec_inside("lmtp:127.0.0.1:24", "/run/orouboros"), "lmtp:127.0.0.1:24");
}

TEST(SpecInside, ASocketOutsideTheRootOrASpawnedStageIsAConfigError) {
    EXPECT_THROW((void)smtpd::spec_inside("unix:/run/orouborosx/deliver.sock", "/run/orouboros"), ConfigError);
    EXPECT_THROW((void)smtpd::spec_inside("exec:/usr/bin/true", "/run/orouboros"), ConfigError);
}

}  // namespace
