# Checkpoint layouts of other projects, renamed into the torchvision layout.
target_sources(resnest_nn PRIVATE)
