"""The maths behind the lecture pages (Learn section). Plain NumPy and TensorFlow, no Streamlit."""
