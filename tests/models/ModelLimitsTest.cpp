#include "core/models/ModelLimits.h"

#include "core/models/ArchitectureDetector.h"
#include "core/models/FiniteWeights.h"
#include "core/models/ResNeSt.h"
#include "core/pipeline/ModelInfoFill.h"
#include "tests/models/ModelTestSupport.h"

#include <gtest/gtest.h>

using namespace resnest;
using resnest::test::stateDictOf;

namespace {

std::string errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "<accepted>";
}

} // namespace

TEST(ModelLimitsTest, ParameterCountIsExactForEveryShapeOfBody) {
    // The count decides whether a file can hold the network, so it must be the built network's.
    std::vector<ResNeStConfig> configs;
    for (const auto& name : ResNeStConfig::knownNames()) {
        const ResNeStConfig c = ResNeStConfig::byName(name);
        if (c.layers[2] <= 6) // the deep ones only add blocks of the shapes checked here
            configs.push_back(c);
    }
    ResNeStConfig odd = ResNeStConfig::byName("resnest14d");
    odd.basePlanes = 16;
    odd.bottleneckWidth = 32;
    odd.cardinality = 2;
    odd.radix = 4;
    odd.stemWidth = 8;
    odd.numClasses = 0;
    configs.push_back(odd);
    odd.deepStem = false;
    odd.radix = 1;
    odd.avgDown = false;
    odd.numClasses = 7;
    configs.push_back(odd);
    for (const ResNeStConfig& c : configs) {
        ResNeSt model(c);
        EXPECT_EQ(ModelLimits::bodyParameters(c), ModelInfoFill::parameters(*model)) << c.name;
    }
    // resnest269's published count, without building it.
    EXPECT_NEAR(double(ModelLimits::bodyParameters(ResNeStConfig::byName("resnest269"))), 110.9e6, 0.1e6);
}

TEST(ModelLimitsTest, RefusesNetworksNoRealCheckpointDescribes) {
    ResNeStConfig c = ResNeStConfig::byName("resnest14d");
    c.layers[2] = ModelLimits::kMaxBlocksPerStage + 1;
    EXPECT_EQ(errorOf([&] { ResNeSt model(c); }),
              "network too large: stage layer3 has 129 blocks, outside [1, 128]");
    c = ResNeStConfig::byName("resnest14d");
    c.basePlanes = 512;
    EXPECT_EQ(errorOf([&] { c.validate(); }),
              "network too large: layer4's output channels is 16384, outside [1, 8192]");
    c = ResNeStConfig::byName("resnest14d");
    c.numClasses = 200000;
    EXPECT_EQ(errorOf([&] { c.validate(); }),
              "network too large: the class count is 200000, outside [0, 100000]");
    c = ResNeStConfig::byName("resnest14d");
    c.layers = {100, 100, 100, 100};
    c.basePlanes = 256;
    EXPECT_NE(errorOf([&] { c.validate(); }).find("parameters, more than 1000000000"), std::string::npos);
    EXPECT_EQ(errorOf([&] { ResNeStConfig::byName("resnest269").validate(); }), "<accepted>");
}

TEST(ModelLimitsTest, AFileMustHoldTheNetworkItsShapesDescribe) {
    io::TensorMap tensors{{"a", torch::zeros({10})}, {"b", torch::zeros({2, 5})}};
    EXPECT_EQ(errorOf([&] { ModelLimits::requireHeldBy(20, tensors, "f.pth"); }), "<accepted>");
    EXPECT_EQ(
        errorOf([&] { ModelLimits::requireHeldBy(21, tensors, "f.pth"); }),
        "f.pth: its tensor shapes describe a network of at least 21 parameters, but it holds only 20 values "
        "(forged or inconsistent shapes)");
}

TEST(ModelLimitsTest, ZeroAndHugeDimensionsNeverReachTheArithmetic) {
    ResNeStConfig c = ResNeStConfig::byName("resnest14d");
    c.numClasses = 10;
    const io::TensorMap good = stateDictOf(c);
    for (const char* key : {"layer1.0.conv1.weight", "layer1.0.conv2.conv.weight",
                            "layer1.0.conv2.fc1.weight", "layer1.0.conv3.weight", "conv1.0.weight"}) {
        io::TensorMap t = good;
        auto sizes = t.at(key).sizes().vec();
        const int d = std::string(key).find("fc1") != std::string::npos ? 1 : 0;
        sizes[d] = 0;
        t[key] = torch::zeros(sizes);
        EXPECT_NE(errorOf([&] { ArchitectureDetector::detect(t); }).find("has a dimension of 0"),
                  std::string::npos)
            << key;
        sizes[d] = int64_t{1} << 40;
        t[key] = torch::zeros({1}).expand(sizes);
        EXPECT_NE(errorOf([&] { ArchitectureDetector::detect(t); }).find("has a dimension of 1099511627776"),
                  std::string::npos)
            << key;
    }
    io::TensorMap t = good;
    t["fc.weight"] = torch::zeros({0, 512});
    EXPECT_EQ(errorOf([&] { ArchitectureDetector::detect(t); }),
              "not a ResNeSt state dict: 'fc.weight' has shape [0, 512]");
}

TEST(ModelLimitsTest, NonFiniteWeightsAreCountedAndNamed) {
    io::TensorMap t{{"a", torch::ones({4})},
                    {"b", torch::ones({3})},
                    {"c", torch::ones({2})},
                    {"n", torch::ones({2}, torch::kInt64)}};
    EXPECT_EQ(FiniteWeights::problem(t), "");
    t["b"][1] = std::numeric_limits<float>::quiet_NaN();
    t["c"][0] = std::numeric_limits<float>::infinity();
    t["c"][1] = -std::numeric_limits<float>::infinity();
    EXPECT_EQ(FiniteWeights::problem(t), "3 non-finite values (NaN or Inf) in 2 tensors, the first in 'b'");
    EXPECT_EQ(
        errorOf([&] { FiniteWeights::require(t, "w.pth"); }),
        "w.pth: 3 non-finite values (NaN or Inf) in 2 tensors, the first in 'b'; --allow-non-finite loads "
        "it anyway");
}
