"""Exports the trained model to static/models/ (or $MODELS_OUT), one job per module:

- graphs.py: the ONNX graphs with int8-stored weights, and that round trip in PyTorch
- clip_folder.py: the CLIP folder in Hugging Face's layout (tokenizer and configs)
- golden.py: golden tensors, every step of reference generations, for the site's tests
- manifest.py: the manifest, checked against its JSON Schema before it is written
- teacher.py: the teacher's folder (export_all), and its samplers' golden cases alone
  (export_samplers)
- student.py: the distilled student's graph, golden cases and manifest entry

`python3 -m training export` runs teacher.export_all, `student_export`
student.export_student, `golden_samplers` teacher.export_samplers. This file imports
nothing, so that reading one module (shipped.py reads graphs.py) loads no other.
"""
