#include "core/segmentation/SegmentationCheckpointLayout.h"

#include "tests/layouts/KeyList.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

using namespace resnest;

namespace {

const char* const kTorchvision = "seg_torchvision_deeplabv3_resnest50_voc";
const char* const kEncoding = "seg_encoding_deeplab_resnest50_ade";
const char* const kMmsegAde = "seg_mmseg_deeplabv3_s50_ade";
const char* const kMmsegCity = "seg_mmseg_deeplabv3_s101_cityscapes";
const char* const kMmsegPlus = "seg_mmseg_deeplabv3plus_s101_ade";

std::string conversionError(const io::TensorMap& t) {
    SegmenterConfig config;
    try {
        SegmentationCheckpointLayout::toTorchvision(t, config);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

std::string detectionError(const io::TensorMap& t) {
    try {
        SegmentationCheckpointLayout::detect(t);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

// Converts `name` and compares names and shapes with its canonical list.
ConvertedCheckpoint convertsToCanonical(const std::string& name, const std::string& canonical,
                                        SegmenterConfig& config) {
    const io::TensorMap upstream = test::readKeyList(name);
    ConvertedCheckpoint c = SegmentationCheckpointLayout::toTorchvision(upstream, config);
    EXPECT_EQ(test::shapeDifferences(c.tensors, test::readKeyList(canonical)), "") << name;
    return c;
}

} // namespace

TEST(SegmentationCheckpointLayoutTest, DetectsEachUpstreamLayout) {
    EXPECT_EQ(SegmentationCheckpointLayout::detect(test::readKeyList(kTorchvision)), "torchvision");
    EXPECT_EQ(SegmentationCheckpointLayout::detect(test::readKeyList(kEncoding)), "encoding");
    EXPECT_EQ(SegmentationCheckpointLayout::detect(test::readKeyList(kMmsegAde)), "mmsegmentation");
    EXPECT_EQ(SegmentationCheckpointLayout::detect(test::readKeyList(kMmsegCity)), "mmsegmentation");
    EXPECT_EQ(SegmentationCheckpointLayout::detect(test::readKeyList(kMmsegPlus)), "mmsegmentation");
    // The project's own DeepLabV3+ layout (what the converter writes) is the canonical one.
    EXPECT_EQ(SegmentationCheckpointLayout::detect(test::readKeyList(std::string(kMmsegPlus) + ".canonical")),
              "torchvision");
}

TEST(SegmentationCheckpointLayoutTest, RefusesClassifierAndDetectorCheckpoints) {
    const std::string cls = detectionError(test::readKeyList("cls_official_resnest50"));
    EXPECT_NE(cls.find("classification checkpoint"), std::string::npos) << cls;
    EXPECT_NE(cls.find("decode_head"), std::string::npos) << cls; // says what it looked for
    const std::string det = detectionError(test::readKeyList("det_mmdet_mask_rcnn_s50_fpn"));
    EXPECT_NE(det.find("detection checkpoint"), std::string::npos) << det;
    EXPECT_NE(detectionError({}), "");
}

TEST(SegmentationCheckpointLayoutTest, TorchvisionPassesThroughWithFlags) {
    const io::TensorMap in = test::readKeyList(kTorchvision);
    SegmenterConfig config;
    config.asppProject = false; // stale values from an earlier load must be reset
    config.alignCorners = true;
    config.backbone.firstBlockAvd = false;
    config.inputShortSide = 77;
    config.inputLongSide = 99;
    ConvertedCheckpoint c = SegmentationCheckpointLayout::toTorchvision(in, config);
    EXPECT_EQ(c.layout, "torchvision");
    ASSERT_EQ(c.tensors.size(), in.size());
    for (const auto& [key, t] : in)
        EXPECT_TRUE(c.tensors.at(key).is_same(t)) << key;
    EXPECT_TRUE(config.asppProject);
    EXPECT_FALSE(config.alignCorners);
    EXPECT_TRUE(config.backbone.firstBlockAvd);
    EXPECT_DOUBLE_EQ(config.pixelScale, 1.0 / 255.0);
    EXPECT_EQ(config.layout, "torchvision");
    EXPECT_EQ(config.dataset, "voc");
    // No test scale is known for torchvision's layout: the image as it comes.
    EXPECT_EQ(config.inputShortSide, 0);
    EXPECT_EQ(config.inputLongSide, 0);
}

TEST(SegmentationCheckpointLayoutTest, EncodingConvertsToCanonicalKeys) {
    SegmenterConfig config;
    ConvertedCheckpoint c = convertsToCanonical(kEncoding, std::string(kEncoding) + ".canonical", config);
    EXPECT_EQ(c.layout, "encoding");
    EXPECT_TRUE(config.asppProject);
    EXPECT_TRUE(config.alignCorners);
    EXPECT_TRUE(config.backbone.firstBlockAvd);
    EXPECT_DOUBLE_EQ(config.pixelScale, 1.0 / 255.0);
    EXPECT_FALSE(config.bgr);
    EXPECT_DOUBLE_EQ(config.mean[0], 0.485);
    EXPECT_EQ(config.layout, "encoding");
    EXPECT_EQ(config.dataset, "ade20k");
    EXPECT_TRUE(c.ignoredKeys.empty());
    // Single-scale test: the longer side at base_size.
    EXPECT_EQ(config.inputShortSide, 0);
    EXPECT_EQ(config.inputLongSide, 520);
}

TEST(SegmentationCheckpointLayoutTest, MmsegConvertsToCanonicalKeys) {
    for (const std::string name : {kMmsegAde, kMmsegCity}) {
        SegmenterConfig config;
        config.backbone.firstBlockAvd = true;
        ConvertedCheckpoint c = convertsToCanonical(name, name + ".canonical", config);
        EXPECT_EQ(c.layout, "mmsegmentation");
        EXPECT_FALSE(config.asppProject);
        EXPECT_FALSE(config.alignCorners);
        EXPECT_FALSE(config.backbone.firstBlockAvd);
        EXPECT_DOUBLE_EQ(config.pixelScale, 1.0);
        EXPECT_FALSE(config.bgr);
        EXPECT_DOUBLE_EQ(config.mean[0], 123.675);
        EXPECT_DOUBLE_EQ(config.std[2], 57.375);
        EXPECT_EQ(config.dataset, name == kMmsegAde ? "ade20k" : "cityscapes");
        // The test pipelines' scales, (2048, 512) and (2048, 1024).
        EXPECT_EQ(config.inputShortSide, name == kMmsegAde ? 512 : 1024);
        EXPECT_EQ(config.inputLongSide, 2048);
    }
}

TEST(SegmentationCheckpointLayoutTest, MmsegDeepLabV3PlusKeepsItsHeadNamesUnderClassifier) {
    SegmenterConfig config;
    config.backbone.firstBlockAvd = true;
    config.alignCorners = true;
    ConvertedCheckpoint c = convertsToCanonical(kMmsegPlus, std::string(kMmsegPlus) + ".canonical", config);
    EXPECT_EQ(c.layout, "mmsegmentation");
    EXPECT_FALSE(config.alignCorners);
    EXPECT_FALSE(config.backbone.firstBlockAvd);
    EXPECT_DOUBLE_EQ(config.mean[1], 116.28);
    EXPECT_EQ(config.dataset, "ade20k");
    // No permutation: the canonical DeepLabV3+ concatenates in mmseg's order.
    const io::TensorMap in = test::readKeyList(kMmsegPlus);
    const io::TensorMap out = SegmentationCheckpointLayout::toTorchvision(in, config).tensors;
    for (const char* key : {"bottleneck.pointwise_conv.conv.weight", "c1_bottleneck.conv.weight",
                            "sep_bottleneck.1.depthwise_conv.bn.running_var", "conv_seg.bias"})
        EXPECT_TRUE(
            out.at(std::string("classifier.") + key).is_same(in.at(std::string("decode_head.") + key)))
            << key;
    EXPECT_TRUE(out.at("aux_classifier.4.bias").is_same(in.at("auxiliary_head.conv_seg.bias")));

    // The canonical list passes through, separable bottleneck or plain (mmseg releases differ there).
    io::TensorMap canonical = test::readKeyList(std::string(kMmsegPlus) + ".canonical");
    SegmenterConfig again;
    EXPECT_EQ(SegmentationCheckpointLayout::toTorchvision(canonical, again).tensors.size(), canonical.size());
    for (const char* part : {"depthwise_conv", "pointwise_conv"})
        for (const char* leaf : {"conv.weight", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"})
            canonical.erase(std::string("classifier.bottleneck.") + part + "." + leaf);
    canonical["classifier.bottleneck.conv.weight"] = torch::zeros({512, 2560, 3, 3});
    for (const char* leaf : {"weight", "bias", "running_mean", "running_var"})
        canonical[std::string("classifier.bottleneck.bn.") + leaf] = torch::zeros({512});
    EXPECT_EQ(conversionError(canonical), "");
}

TEST(SegmentationCheckpointLayoutTest, MmsegStemAndBlocksKeepTheirTensors) {
    io::TensorMap in = test::readKeyList(kMmsegAde);
    SegmenterConfig config;
    ConvertedCheckpoint c = SegmentationCheckpointLayout::toTorchvision(in, config);
    EXPECT_TRUE(c.tensors.at("backbone.conv1.0.weight").is_same(in.at("backbone.stem.0.weight")));
    EXPECT_TRUE(c.tensors.at("backbone.bn1.running_var").is_same(in.at("backbone.stem.7.running_var")));
    EXPECT_TRUE(c.tensors.at("backbone.layer3.5.conv2.bn0.weight")
                    .is_same(in.at("backbone.layer3.5.conv2.bn0.weight")));
    EXPECT_TRUE(
        c.tensors.at("classifier.0.convs.4.1.weight").is_same(in.at("decode_head.image_pool.1.conv.weight")));
    EXPECT_TRUE(
        c.tensors.at("classifier.0.convs.0.1.bias").is_same(in.at("decode_head.aspp_modules.0.bn.bias")));
    EXPECT_TRUE(c.tensors.at("classifier.4.bias").is_same(in.at("decode_head.conv_seg.bias")));
    EXPECT_TRUE(c.tensors.at("aux_classifier.0.weight").is_same(in.at("auxiliary_head.convs.0.conv.weight")));
}

TEST(SegmentationCheckpointLayoutTest, MmsegBottleneckInputChannelsFollowTorchvisionOrder) {
    io::TensorMap in = test::readKeyList(kMmsegAde);
    // Two output channels, five concatenated branches of three channels: block b holds the value b,
    // with the input channel index added inside the block to check the order within blocks too.
    const int64_t c = 3;
    torch::Tensor w = torch::empty({2, 5 * c, 1, 1});
    for (int64_t b = 0; b < 5; ++b)
        for (int64_t i = 0; i < c; ++i)
            w.select(1, b * c + i).fill_(10.0 * b + i);
    in["decode_head.bottleneck.conv.weight"] = w;
    SegmenterConfig config;
    ConvertedCheckpoint out = SegmentationCheckpointLayout::toTorchvision(in, config);
    const torch::Tensor p = out.tensors.at("classifier.1.weight");
    ASSERT_EQ(p.sizes(), w.sizes());
    // mmseg: [pool, b0, b1, b2, b3] -> torchvision [b0, b1, b2, b3, pool].
    const int64_t expectedBlock[5] = {1, 2, 3, 4, 0};
    for (int64_t b = 0; b < 5; ++b)
        for (int64_t i = 0; i < c; ++i)
            EXPECT_EQ(p[1][b * c + i][0][0].item<float>(), 10.0f * expectedBlock[b] + i) << b << " " << i;
}

TEST(SegmentationCheckpointLayoutTest, UnknownKeyIsNamed) {
    for (const std::string name : {kMmsegAde, kEncoding, kTorchvision}) {
        io::TensorMap t = test::readKeyList(name);
        const std::string extra = name == kMmsegAde   ? "decode_head.lateral.weight"
                                  : name == kEncoding ? "head.aspp.b5.0.weight"
                                                      : "classifier.5.weight";
        t[extra] = torch::zeros({1});
        const std::string msg = conversionError(t);
        EXPECT_NE(msg.find(extra), std::string::npos) << name << ": " << msg;
    }
}

TEST(SegmentationCheckpointLayoutTest, MissingKeyIsNamed) {
    struct Case {
        const char* list;
        const char* removed;
    };
    for (const Case& k :
         {Case{kMmsegAde, "decode_head.conv_seg.bias"}, Case{kMmsegAde, "backbone.stem.4.running_mean"},
          Case{kMmsegCity, "backbone.layer3.22.conv2.fc2.bias"},
          Case{kEncoding, "head.aspp.project.1.running_var"}, Case{kTorchvision, "aux_classifier.4.bias"},
          Case{kMmsegPlus, "decode_head.sep_bottleneck.1.depthwise_conv.bn.running_var"},
          Case{kMmsegPlus, "decode_head.aspp_modules.2.pointwise_conv.conv.weight"}}) {
        io::TensorMap t = test::readKeyList(k.list);
        ASSERT_EQ(t.erase(k.removed), 1u) << k.removed;
        const std::string msg = conversionError(t);
        EXPECT_NE(msg.find("missing"), std::string::npos) << msg;
        EXPECT_NE(msg.find(k.removed), std::string::npos) << k.list << ": " << msg;
    }
}

TEST(SegmentationCheckpointLayoutTest, MmsegBodyWithoutSplitAttentionIsRefused) {
    // mmseg's ResNetV1c DeepLabV3: plain bottlenecks (conv2 + bn2), not a ResNeSt body.
    io::TensorMap t = test::readKeyList(kMmsegAde);
    t.erase("backbone.layer1.0.conv2.conv.weight");
    t["backbone.layer1.0.conv2.weight"] = torch::zeros({64, 64, 3, 3});
    const std::string msg = conversionError(t);
    EXPECT_NE(msg.find("backbone.layer1.0.conv2.weight"), std::string::npos) << msg;
}

TEST(SegmentationCheckpointLayoutTest, TrainingOnlyAndUnusedTensorsAreListedNotLoaded) {
    io::TensorMap t = test::readKeyList(kEncoding);
    t["pretrained.bn1.num_batches_tracked"] = torch::zeros({}, torch::kLong);
    t["pretrained.fc.weight"] = torch::zeros({1000, 2048});
    t["ema_head_block_4_weight"] = torch::zeros({1});
    SegmenterConfig config;
    ConvertedCheckpoint c = SegmentationCheckpointLayout::toTorchvision(t, config);
    EXPECT_EQ(c.ignoredKeys,
              (std::vector<std::string>{"ema_head_block_4_weight", "pretrained.bn1.num_batches_tracked",
                                        "pretrained.fc.weight"}));
    EXPECT_EQ(c.tensors.count("backbone.fc.weight"), 0u);
    EXPECT_EQ(test::shapeDifferences(c.tensors, test::readKeyList(std::string(kEncoding) + ".canonical")),
              "");
}
