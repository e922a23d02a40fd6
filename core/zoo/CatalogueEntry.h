#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace resnest {

// One published checkpoint as a catalogue lists it (docs/zoo.md has every field).
struct CatalogueEntry {
    std::string name;    // unique: "resnest50", "encoding/deeplab_resnest50_ade", "mmdet/..."
    std::string task;    // classify, segment, detect
    std::string dataset; // imagenet-1k, ade20k, coco, ...
    std::string project; // who published it
    std::string layout;  // its key layout (resnest, timm, encoding, mmsegmentation, mmdetection, detectron2)
    std::string arch;    // body architecture
    std::string head;    // DeepLabV3, Faster R-CNN FPN, ...
    std::string file;    // the upstream file name
    std::vector<std::string> urls; // upstream first, mirrors after
    // Lower-case hex as published: sha256 whole or a prefix of at least 8 digits; PyTorch-Encoding publishes
    // the sha1 of the checkpoint inside its zip instead.
    std::string sha256;
    std::string sha1;
    std::string hashUnpublished; // why an entry has neither (its file is hashed on first download instead)
    std::string archiveMember;   // the file is a zip and this member of it is the checkpoint
    std::int64_t size = -1;      // bytes of `file`, when published
    bool runnable = true;        // false: listed for completeness, its head is not one the loaders run
    std::map<std::string, double> metric; // top1, mIoU, box_AP, mask_AP, ...
    std::string labels;                   // class names to show ("imagenet"), empty: the checkpoint's own
    std::string origin;                   // the catalogue file this entry came from

    // The checkpoint's file name in the cache: the archive member, or the file itself.
    std::string cachedName() const { return archiveMember.empty() ? file : archiveMember; }
    bool hasHash() const { return !sha256.empty() || !sha1.empty(); }
    // The published metrics as "top1 81.03" pairs joined by `separator`, numbers to 6 significant digits.
    std::string metricText(const std::string& separator) const;
};

} // namespace resnest
