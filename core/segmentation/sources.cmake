# DeepLabV3 on a dilated ResNeSt.
target_sources(resnest_nn PRIVATE)
