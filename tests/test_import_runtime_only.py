"""`import irax.deploy` must work on a machine with only the IREE runtime."""
import subprocess
import sys
import textwrap


def test_deploy_imports_without_the_compiler():
    code = textwrap.dedent("""
        import sys

        class Block:
            def find_spec(self, name, path=None, target=None):
                if name == "iree.compiler" or name.startswith("iree.compiler."):
                    raise ImportError("iree.compiler is blocked")
                return None

        sys.meta_path.insert(0, Block())
        import irax.deploy
        assert callable(irax.deploy.load)
        assert not any(m.startswith("iree.compiler") for m in sys.modules)
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
