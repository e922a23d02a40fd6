# mmdetection v2 / detectron2 semantics end to end (check_mm_semantics.py): an mmdetection-layout ResNeSt
# Faster / Mask R-CNN checkpoint through DetectionCheckpointLayout and `resnest-cli export`, against
# torchvision's classes patched to those semantics (unrounded anchors on nominal strides, aligned RoIAlign
# with adaptive sampling, no minimum detection size, grid_sample mask paste, input in 0-255 units).
if(TARGET resnest-cli)
  # The seed of the weights: the torchvision-strides sensitivity needs a P6 proposal among the detections, which
  # the 64-wide Mask R-CNN gives at seed 2 (not at 0 or 1).
  foreach(spec "faster;200x264;0" "mask;240x180;2")
    list(GET spec 0 model)
    list(GET spec 1 size)
    list(GET spec 2 seed)
    set(name heads.det.mm-semantics.${model}.resnest14d)
    add_test(NAME ${name}
             COMMAND ${RESNEST_PYTHON} ${HEADS_DIR}/check_mm_semantics.py --cli $<TARGET_FILE:resnest-cli>
                     --model ${model} --arch resnest14d --size ${size} --seed ${seed} --workdir ${HEADS_WORK}/${name}
                     --clean-on-pass
             WORKING_DIRECTORY ${HEADS_DIR})
    set_tests_properties(${name} PROPERTIES LABELS "heads;fast" TIMEOUT 900 ENVIRONMENT "OMP_WAIT_POLICY=PASSIVE")
  endforeach()
endif()
