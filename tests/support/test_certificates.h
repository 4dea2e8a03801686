// Certificates for TLS tests, made by the `openssl` command line in a private directory: a
// self-signed CA and leaf certificates it signs (P-256 keys, valid 2 days), each leaf naming
// IP:127.0.0.1 and DNS:localhost unless told otherwise, usable by a server and a client alike.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"

namespace sa::testing {

struct TestCertificate {
  std::string cert_file;  // PEM certificate
  std::string key_file;   // PEM private key (unencrypted PKCS#8)
};

class TestCertificates {
 public:
  // A fresh directory under the test's temporary directory.
  TestCertificates() {
    std::string pattern = ::testing::TempDir() + "sa_certs_XXXXXX";
    if (mkdtemp(pattern.data()) != nullptr) dir_ = pattern;
  }
  ~TestCertificates() {
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }
  TestCertificates(const TestCertificates&) = delete;
  TestCertificates& operator=(const TestCertificates&) = delete;

  const std::string& dir() const { return dir_; }

  // A self-signed CA called `name` (files <dir>/<name>.crt/.key). Fails the test on error.
  TestCertificate MakeCa(const std::string& name) {
    TestCertificate ca = Paths(name);
    std::string config = absl::StrCat(dir_, "/", name, ".cnf");
    WriteFile(config, absl::StrCat("[req]\ndistinguished_name=dn\nx509_extensions=v3\nprompt=no\n"
                                   "[dn]\nCN=",
                                   name,
                                   "\n[v3]\nbasicConstraints=critical,CA:TRUE\n"
                                   "keyUsage=critical,keyCertSign,cRLSign\n"
                                   "subjectKeyIdentifier=hash\n"));
    Run(absl::StrCat("openssl req -x509 -config '", config, "'", kNewKey, " -keyout '", ca.key_file,
                     "' -out '", ca.cert_file, "' -days 2"));
    return ca;
  }

  // A leaf certificate called `name` (its CN) signed by `ca`, naming `subject_alt_names`
  // (openssl's syntax, e.g. "URI:spiffe://example.org/alice"; empty: no SAN extension).
  TestCertificate MakeLeaf(const std::string& name, const TestCertificate& ca,
                           const std::string& subject_alt_names = "IP:127.0.0.1,DNS:localhost") {
    TestCertificate leaf = Paths(name);
    std::string csr = absl::StrCat(dir_, "/", name, ".csr");
    std::string ext = absl::StrCat(dir_, "/", name, ".ext");
    WriteFile(ext, absl::StrCat(subject_alt_names.empty() ? "" : "subjectAltName=",
                                subject_alt_names, subject_alt_names.empty() ? "" : "\n",
                                "basicConstraints=CA:FALSE\n"
                                "keyUsage=critical,digitalSignature,keyEncipherment\n"
                                "extendedKeyUsage=serverAuth,clientAuth\n"));
    Run(absl::StrCat("openssl req -new", kNewKey, " -keyout '", leaf.key_file, "' -out '", csr,
                     "' -subj '/CN=", name, "'"));
    Run(absl::StrCat("openssl x509 -req -in '", csr, "' -CA '", ca.cert_file, "' -CAkey '",
                     ca.key_file, "' -CAcreateserial -out '", leaf.cert_file,
                     "' -days 2 -extfile '", ext, "'"));
    return leaf;
  }

 private:
  static constexpr char kNewKey[] = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";

  TestCertificate Paths(const std::string& name) const {
    return {absl::StrCat(dir_, "/", name, ".crt"), absl::StrCat(dir_, "/", name, ".key")};
  }
  static void WriteFile(const std::string& path, const std::string& text) {
    std::ofstream out(path);
    out << text;
    ASSERT_TRUE(out.good()) << path;
  }
  void Run(const std::string& command) const {
    ASSERT_FALSE(dir_.empty()) << "no temporary directory";
    std::string quiet = absl::StrCat(command, " >'", dir_, "/openssl.log' 2>&1");
    ASSERT_EQ(std::system(quiet.c_str()), 0) << command << " (see " << dir_ << "/openssl.log)";
  }

  std::string dir_;
};

}  // namespace sa::testing
